import { sleep, sleepWithAbort } from 'n8n-workflow';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Waits `ms`, or until the signal aborts, whichever comes first; never throws, so callers look at
 * the signal afterwards. A stopped execution must not sit out a minute-long Retry-After.
 */
export const sleepUnlessCancelled: Sleep = async (ms, signal) => {
	if (signal?.aborted) return;
	if (!signal) return await sleep(ms);
	// sleepWithAbort clears its timer on abort; n8n-workflow 1.92 (n8n 1.94) does not have it yet.
	if (typeof sleepWithAbort === 'function') {
		try {
			await sleepWithAbort(ms, signal);
		} catch {
			// The abort itself: the caller sees it on the signal.
		}
		return;
	}
	await new Promise<void>((resolve) => {
		const done = () => {
			signal.removeEventListener('abort', done);
			resolve();
		};
		signal.addEventListener('abort', done);
		void sleep(ms).then(done);
	});
};

/**
 * Spaces request starts evenly so that no more than `perMinute` begin in any minute; retries
 * take a slot like any request, since Perplexity counts them too. A slot is taken when a request
 * starts, not promised while it waits: one limiter serves every execution on an API key in the
 * process, and a stopped execution must leave nothing reserved for the others.
 */
export class RateLimiter {
	private nextSlot = 0;

	private readonly spacingMs: number;

	constructor(
		perMinute: number,
		private readonly sleep: Sleep = sleepUnlessCancelled,
		private readonly now: () => number = Date.now,
	) {
		this.spacingMs = perMinute > 0 ? 60_000 / perMinute : 0;
	}

	/** Waits for the next free slot; a cancel ends the wait early (the caller checks the signal). */
	async acquire(signal?: AbortSignal): Promise<void> {
		if (this.spacingMs === 0) return;
		for (;;) {
			const now = this.now();
			if (now >= this.nextSlot) {
				this.nextSlot = now + this.spacingMs;
				return;
			}
			// Others may wait for the same slot: whoever wakes first takes it, the rest wait again.
			await this.sleep(this.nextSlot - now, signal);
			if (signal?.aborted) return;
		}
	}
}

export interface PoolOptions {
	concurrency: number;
	/** When above 0, items go in batches of `concurrency` with this pause between batches. */
	batchIntervalMs: number;
	/** The pause between batches; it must end early on a cancel, which shouldStop then reports. */
	sleep: (ms: number) => Promise<void>;
	/** Checked before each item starts: true stops starting new ones (a failure, or a cancel). */
	shouldStop: () => boolean;
}

/**
 * Runs task(0 … count-1) with at most `concurrency` at once and returns their results by index,
 * so output order never depends on which answer came back first. Items not started because
 * `shouldStop` turned true are left undefined.
 */
export async function runPool<T>(
	count: number,
	task: (index: number) => Promise<T>,
	{ concurrency, batchIntervalMs, sleep, shouldStop }: PoolOptions,
): Promise<Array<T | undefined>> {
	const results = new Array<T | undefined>(count);
	const width = Math.max(1, Math.min(concurrency, count));

	if (batchIntervalMs > 0) {
		for (let start = 0; start < count && !shouldStop(); start += width) {
			if (start > 0) await sleep(batchIntervalMs);
			if (shouldStop()) break;
			const batch = [];
			for (let index = start; index < Math.min(start + width, count); index++) {
				batch.push(task(index).then((result) => (results[index] = result)));
			}
			await Promise.all(batch);
		}
		return results;
	}

	let next = 0;
	const worker = async () => {
		while (next < count && !shouldStop()) {
			const index = next++;
			results[index] = await task(index);
		}
	};
	await Promise.all(Array.from({ length: width }, worker));
	return results;
}
