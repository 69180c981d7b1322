import {
	RateLimiter,
	runPool,
	type Sleep,
	sleepUnlessCancelled,
} from '../../nodes/PerplexityChat/helpers/scheduling';

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

describe('RateLimiter and a stopped execution', () => {
	it('hands the cancel signal to its wait', async () => {
		const signals: Array<AbortSignal | undefined> = [];
		const controller = new AbortController();
		const limiter = new RateLimiter(1, async (_ms, signal) => {
			signals.push(signal);
			controller.abort();
		});
		await limiter.acquire(controller.signal);
		await limiter.acquire(controller.signal);
		expect(signals).toEqual([controller.signal]);
	});

	it('waits a minute-long slot only until the execution is stopped', async () => {
		const controller = new AbortController();
		const limiter = new RateLimiter(1);
		await limiter.acquire(controller.signal);
		const waiting = limiter.acquire(controller.signal);
		controller.abort();
		// Bounded by jest's timeout: a wait that ignored the signal would take a minute.
		await expect(waiting).resolves.toBeUndefined();
	});

	it('a stopped wait keeps no slot: the next request waits one spacing, not two', async () => {
		let now = 0;
		const waits: number[] = [];
		const limiter = new RateLimiter(
			60,
			async (ms, signal) => {
				waits.push(ms);
				if (!signal?.aborted) now += ms;
			},
			() => now,
		);
		await limiter.acquire();
		const stopped = new AbortController();
		stopped.abort();
		await limiter.acquire(stopped.signal);
		await limiter.acquire();
		expect(waits).toEqual([1000, 1000]);
		expect(now).toBe(1000);
	});
});

describe('sleepUnlessCancelled', () => {
	it('ends a long wait as soon as the signal aborts, without throwing', async () => {
		const controller = new AbortController();
		const waiting = sleepUnlessCancelled(60_000, controller.signal);
		controller.abort();
		await expect(waiting).resolves.toBeUndefined();
		expect(controller.signal.aborted).toBe(true);
	});

	it('does not wait at all once cancelled, and waits without a signal', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(sleepUnlessCancelled(60_000, controller.signal)).resolves.toBeUndefined();
		await expect(sleepUnlessCancelled(1)).resolves.toBeUndefined();
	});

	it('still ends early on n8n versions whose n8n-workflow has no sleepWithAbort', async () => {
		let fallback: Sleep | undefined;
		// n8n's plain sleep, here one that never ends: only the abort can end the wait.
		const sleep = jest.fn(async () => await new Promise<void>(() => {}));
		jest.isolateModules(() => {
			jest.doMock('n8n-workflow', () => ({
				...jest.requireActual<object>('n8n-workflow'),
				sleep,
				sleepWithAbort: undefined,
			}));
			fallback = (
				jest.requireActual<object>('../../nodes/PerplexityChat/helpers/scheduling') as {
					sleepUnlessCancelled: Sleep;
				}
			).sleepUnlessCancelled;
		});
		const controller = new AbortController();
		const waiting = fallback?.(60_000, controller.signal);
		controller.abort();
		await expect(waiting).resolves.toBeUndefined();
		expect(sleep).toHaveBeenCalledWith(60_000);
	});
});
