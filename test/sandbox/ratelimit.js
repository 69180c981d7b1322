// @ts-check
'use strict';

/**
 * The `x-ratelimit-*` headers every response carries, and the optional limiter (`rateLimit` config)
 * that answers 429 on its own. Fixed windows: simple to reason about in tests.
 */

/** What an unlimited sandbox advertises: a tier-like limit that never runs out, so clients that
 * throttle on `remaining` are not slowed down by the benchmark. */
const NOMINAL_LIMIT = 1000;

class RateLimiter {
	/** @param {{ limit: number, windowMs: number } | null} rule */
	constructor(rule) {
		/** @type {{ limit: number, windowMs: number } | null} */
		this.rule = rule;
		this.windowStart = 0;
		this.count = 0;
	}

	/** @param {{ limit: number, windowMs: number } | null} rule */
	configure(rule) {
		this.rule = rule;
		this.windowStart = 0;
		this.count = 0;
	}

	/** @param {number} now */
	#roll(now) {
		const windowMs = this.rule?.windowMs ?? 60_000;
		if (now - this.windowStart >= windowMs) {
			this.windowStart = now;
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
		const windowMs = this.rule?.windowMs ?? 60_000;
		const limit = this.rule?.limit ?? NOMINAL_LIMIT;
		const remaining = this.rule ? Math.max(0, limit - this.count) : NOMINAL_LIMIT - 1;
		return {
			'x-ratelimit-limit': String(limit),
			'x-ratelimit-remaining': String(remaining),
			'x-ratelimit-reset': String(Math.ceil((this.windowStart + windowMs) / 1000)),
		};
	}
}

module.exports = { RateLimiter };
