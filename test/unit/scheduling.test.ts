import { RateLimiter, runPool } from '../../nodes/PerplexityChat/helpers/scheduling';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('runPool', () => {
	it('keeps results in input order and never runs more than the concurrency at once', async () => {
		let running = 0;
		let peak = 0;
		const results = await runPool(
			20,
			async (index) => {
				running++;
				peak = Math.max(peak, running);
				await realSleep((20 - index) % 7);
				running--;
				return index * 10;
			},
			{ concurrency: 4, batchIntervalMs: 0, sleep: realSleep, shouldStop: () => false },
		);
		expect(results).toEqual(Array.from({ length: 20 }, (_, index) => index * 10));
		expect(peak).toBe(4);
	});

	it('runs batches with a pause in between when a batch interval is set', async () => {
		const pauses: number[] = [];
		const started: number[][] = [];
		let batch: number[] = [];
		await runPool(
			7,
			async (index) => {
				batch.push(index);
				return index;
			},
			{
				concurrency: 3,
				batchIntervalMs: 50,
				sleep: async (ms) => {
					pauses.push(ms);
					started.push(batch);
					batch = [];
				},
				shouldStop: () => false,
			},
		);
		started.push(batch);
		expect(pauses).toEqual([50, 50]);
		expect(started).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
	});

	it('starts nothing new once told to stop', async () => {
		let stop = false;
		const results = await runPool(
			10,
			async (index) => {
				if (index === 2) stop = true;
				return index;
			},
			{ concurrency: 1, batchIntervalMs: 0, sleep: realSleep, shouldStop: () => stop },
		);
		expect(results).toEqual([0, 1, 2, ...Array(7).fill(undefined)]);
	});
});

describe('RateLimiter', () => {
	it('spaces starts evenly to stay under the cap', async () => {
		let now = 1000;
		const waits: number[] = [];
		const limiter = new RateLimiter(
			120,
			async (ms) => {
				waits.push(ms);
				now += ms;
			},
			() => now,
		);
		for (let i = 0; i < 4; i++) await limiter.acquire();
		expect(waits).toEqual([500, 500, 500]);
	});

	it('does nothing without a cap', async () => {
		const waits: number[] = [];
		const limiter = new RateLimiter(0, async (ms) => {
			waits.push(ms);
		});
		await limiter.acquire();
		await limiter.acquire();
		expect(waits).toEqual([]);
	});
});
