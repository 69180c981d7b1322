import type { RateLimit } from './server';

/** The sandbox's limiter on its own (ratelimit.js), for tests that pass the clock in. */
export class RateLimiter {
	constructor(rule: RateLimit | null);
	configure(rule: RateLimit | null): void;
	/** Counts one request at `now` (ms); true when it is over the limit. */
	take(now: number): boolean;
	/** The `x-ratelimit-*` headers at `now` (ms). */
	headers(now: number): Record<string, string>;
}
