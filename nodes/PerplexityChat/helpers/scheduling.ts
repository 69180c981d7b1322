export type Sleep = (ms: number) => Promise<void>;

/**
 * Spaces request starts evenly so that no more than `perMinute` begin in any minute; retries
 * take a slot like any request, since Perplexity counts them too.
 */
export class RateLimiter {
	private nextSlot = 0;

	private readonly spacingMs: number;

	constructor(
		perMinute: number,
		private readonly sleep: Sleep,
		private readonly now: () => number = Date.now,
	) {
		this.spacingMs = perMinute > 0 ? 60_000 / perMinute : 0;
	}

	async acquire(): Promise<void> {
		if (this.spacingMs === 0) return;
		const now = this.now();
		const slot = Math.max(now, this.nextSlot);
		this.nextSlot = slot + this.spacingMs;
		if (slot > now) await this.sleep(slot - now);
	}
}

export interface PoolOptions {
	concurrency: number;
	/** When above 0, items go in batches of `concurrency` with this pause between batches. */
	batchIntervalMs: number;
	sleep: Sleep;
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
