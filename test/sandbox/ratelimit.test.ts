/** The sandbox's limiter with the clock passed in: windows on the clock, as Perplexity's are. */
import { RateLimiter } from './ratelimit';

// A whole second, as the recorded x-ratelimit-reset values are (unix seconds).
const SECOND = 1_789_986_344_000;

describe('the sandbox rate limiter', () => {
	it('windows lie on the clock: a request late in a second resets at the next whole second', () => {
		// As recorded from Perplexity: limit 1, remaining 0, used 1, reset the next whole second.
		const limiter = new RateLimiter({ limit: 1, windowMs: 1000 });
		expect(limiter.take(SECOND + 945)).toBe(false);
		expect(limiter.headers(SECOND + 945)).toEqual({
			'x-ratelimit-limit': '1',
			'x-ratelimit-remaining': '0',
			'x-ratelimit-reset': String(SECOND / 1000 + 1),
			'x-ratelimit-used': '1',
		});
		expect(limiter.take(SECOND + 999)).toBe(true);
		// The next second is a new window, whenever in it the next request comes.
		expect(limiter.take(SECOND + 1000)).toBe(false);
		expect(limiter.headers(SECOND + 1000)['x-ratelimit-reset']).toBe(String(SECOND / 1000 + 2));
	});

	it('lets `limit` requests through per window, counts them down, and answers 429 beyond', () => {
		const limiter = new RateLimiter({ limit: 3, windowMs: 6000 });
		const seen = [];
		for (let i = 0; i < 4; i++) {
			const now = SECOND + 2500 + i;
			seen.push([limiter.take(now), limiter.headers(now)['x-ratelimit-remaining']]);
		}
		expect(seen).toEqual([
			[false, '2'],
			[false, '1'],
			[false, '0'],
			[true, '0'],
		]);
		expect(limiter.headers(SECOND + 3000)['x-ratelimit-used']).toBe('3');
		// Six-second windows start at multiples of six seconds since the epoch.
		const end = (Math.floor((SECOND + 2500) / 6000) + 1) * 6000;
		expect(limiter.headers(SECOND + 2500)['x-ratelimit-reset']).toBe(String(end / 1000));
		expect(limiter.take(end - 1)).toBe(true);
		expect(limiter.take(end)).toBe(false);
	});

	it('a window that does not end on a whole second gives its end rounded up', () => {
		const limiter = new RateLimiter({ limit: 3, windowMs: 400 });
		limiter.take(SECOND + 100);
		expect(limiter.headers(SECOND + 100)['x-ratelimit-reset']).toBe(String(SECOND / 1000 + 1));
	});

	it('without a rule it advertises a limit of 1000 that never runs out', () => {
		const limiter = new RateLimiter(null);
		for (let i = 0; i < 2000; i++) expect(limiter.take(SECOND + i)).toBe(false);
		expect(limiter.headers(SECOND + 2000)).toMatchObject({
			'x-ratelimit-limit': '1000',
			'x-ratelimit-remaining': '999',
			'x-ratelimit-used': '1',
		});
	});
});
