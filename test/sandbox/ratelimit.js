// @ts-check
'use strict';

/**
 * The `x-ratelimit-*` headers every response carries, and the optional limiter (`rateLimit` config)
 * that answers 429 on its own: `limit` requests per fixed window of `windowMs`, the windows laid on
 * the clock (each starts at a multiple of `windowMs` since the Unix epoch). Perplexity's recorded
 * answers give `x-ratelimit-reset` as the next whole second whatever moment of a second the request
 * came in, which is what windows on the clock give; with whole-second windows the reset is exact.
 */

/** What an unlimited sandbox advertises: a tier-like limit that never runs out, so clients that
 * throttle on `remaining` are not slowed down by the benchmark. */
const NOMINAL_LIMIT = 1000;
const NOMINAL_WINDOW_MS = 60_000;

class RateLimiter {
	/** @param {{ limit: number, windowMs: number } | null} rule */
	constructor(rule) {
		/** @type {{ limit: number, windowMs: number } | null} */
		this.rule = rule;
		this.window = -1;
		this.count = 0;
	}

	/** @param {{ limit: number, windowMs: number } | null} rule */
	configure(rule) {
		this.rule = rule;
		this.window = -1;
		this.count = 0;
	}

	get #windowMs() {
		return this.rule?.windowMs ?? NOMINAL_WINDOW_MS;
	}

	/** @param {number} now */
	#roll(now) {
		const window = Math.floor(now / this.#windowMs);
		if (window !== this.window) {
			this.window = window;
			this.count = 0;
		}
	}

	/**
	 * Counts one request; true when it is over the limit.
	 * @param {number} now
	 */
	take(now) {
		this.#roll(now);
		this.count++;
		return this.rule !== null && this.count > this.rule.limit;
	}

	/**
	 * @param {number} now
	 * @returns {Record<string, string>}
	 */
	headers(now) {
		this.#roll(now);
		const limit = this.rule?.limit ?? NOMINAL_LIMIT;
		const used = this.rule ? Math.min(this.count, limit) : 1;
		const end = (this.window + 1) * this.#windowMs;
		return {
			'x-ratelimit-limit': String(limit),
			'x-ratelimit-remaining': String(limit - used),
			'x-ratelimit-reset': String(Math.ceil(end / 1000)),
			'x-ratelimit-used': String(used),
		};
	}
}

module.exports = { RateLimiter };
