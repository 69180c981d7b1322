import { createHash } from 'crypto';

/**
 * The rate state that requests sharing an API key and Base URL share: pure bookkeeping with the
 * clock passed in, so that it can be tested without waiting. The transport's RateGate does the
 * waiting around it.
 */

type Headers = Record<string, string | string[] | undefined>;

/** What the state answers a request that wants to start. */
export type StartDecision =
	| { go: true; startedAt: number }
	/** Wait this long, or until a request in flight ends, whichever comes first, then ask again. */
	| { go: false; waitMs: number; forSlot: boolean };

/** How a request that went out ended, as far as the rate state cares. */
export interface RateOutcome {
	status?: number;
	headers?: Headers;
	/** For a 429: how long the server asked to wait, if it said. */
	retryAfterMs?: number;
}

/** Without any hint from the server, a run of 429s backs off from 1 s, doubling, up to 60 s. */
const FIRST_PAUSE_MS = 1_000;
const LONGEST_OWN_PAUSE_MS = 60_000;

/**
 * Above this many requests in flight (Concurrency's own maximum) the in-flight limit is lifted
 * again: the state has recovered from its last 429.
 */
const UNLIMITED_ABOVE = 100;

/** Spacing starts when no more requests are left in the window than may be in flight at once. */
const LOW_REMAINING = 20;

function header(headers: Headers | undefined, name: string): number | undefined {
	const raw = headers?.[name];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (value === undefined || value.trim() === '') return undefined;
	const number = Number(value);
	return Number.isFinite(number) ? number : undefined;
}

/** x-ratelimit-reset as a time: unix seconds, or seconds from now when small. */
function resetTime(headers: Headers | undefined, now: number): number | undefined {
	const reset = header(headers, 'x-ratelimit-reset');
	if (reset === undefined) return undefined;
	return reset > 1e9 ? reset * 1000 : now + reset * 1000;
}

export class RateState {
	/** Nothing starts before this time: the pause a 429 asked for. */
	pausedUntil = 0;

	/** How many requests may be in flight together (halved on 429, +1 per success). */
	window = Infinity;

	inFlight = 0;

	/** What the server's headers say of its current window, counted down by our own starts. */
	limit?: number;
	remaining?: number;
	resetAt?: number;

	private lastStartAt = -Infinity;
	/** Our starts since the server's last window passed, before a response told the new one. */
	private startedSinceRoll = 0;
	/**
	 * When the count last moved on to a new window, the end of the window it left, and how many
	 * of the requests then in flight have not answered yet.
	 */
	private rolledAt = -Infinity;
	private rolledFrom?: number;
	private straddling = 0;
	private lastDecreaseAt = -Infinity;
	private pausesInARow = 0;
	/** Whether any request has come back yet: until then one goes out alone, to learn the limit. */
	private heardBack = false;

	/**
	 * Whether a request may start now; if so it is counted as started. `waiting` is how many
	 * requests of this state want to start, this one included.
	 */
	tryStart(now: number, waiting = 1): StartDecision {
		if (now < this.pausedUntil) {
			return { go: false, waitMs: this.pausedUntil - now, forSlot: false };
		}
		if (this.inFlight >= this.window || (!this.heardBack && this.inFlight > 0)) {
			return { go: false, waitMs: Infinity, forSlot: true };
		}
		if (this.resetAt !== undefined && now >= this.resetAt) {
			// The server's window has passed: a fresh one holds `limit` requests again, until a
			// response tells its end. A request still in flight may have reached the server after
			// the boundary, and then it counts in the new window: it is counted there until its
			// answer says otherwise.
			this.rolledAt = now;
			this.rolledFrom = this.resetAt;
			this.straddling = this.inFlight;
			this.startedSinceRoll = this.inFlight;
			this.remaining = this.limit === undefined ? undefined : this.limit - this.inFlight;
			this.resetAt = undefined;
		}
		if (this.remaining !== undefined) {
			if (this.remaining <= 0) {
				if (this.resetAt !== undefined) {
					return { go: false, waitMs: this.resetAt - now, forSlot: false };
				}
				// The window's end is not known yet: the next answer tells it.
				if (this.inFlight > 0) return { go: false, waitMs: Infinity, forSlot: true };
			} else if (
				this.resetAt !== undefined &&
				this.remaining <= LOW_REMAINING &&
				waiting > this.remaining
			) {
				// Few requests left and more waiting than that: some wait for the next window
				// whatever happens, so the ones left are spread evenly over the time to the reset
				// instead of bursting, with the last one a gap before the reset. When all that wait
				// fit, they go now: holding them back would only make the run longer.
				const next = this.lastStartAt + (this.resetAt - this.lastStartAt) / (this.remaining + 1);
				if (next > now) return { go: false, waitMs: next - now, forSlot: false };
			}
			this.remaining--;
		}
		this.inFlight++;
		this.startedSinceRoll++;
		this.lastStartAt = now;
		return { go: true, startedAt: now };
	}

	/** A request that started at `startedAt` has ended. */
	finish(startedAt: number, outcome: RateOutcome, now: number): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		this.heardBack = true;
		const { status } = outcome;
		if (startedAt < this.rolledAt && this.straddling > 0) {
			this.straddling--;
			const reset = resetTime(outcome.headers, now);
			const ok = status !== undefined && status >= 200 && status < 300;
			if (ok && reset !== undefined && this.rolledFrom !== undefined && reset <= this.rolledFrom) {
				// It reached the server before the boundary: its place in the new window is free.
				this.startedSinceRoll = Math.max(0, this.startedSinceRoll - 1);
				if (this.remaining !== undefined) this.remaining++;
			}
		}
		if (status === 429) {
			this.onRateLimited(startedAt, outcome.retryAfterMs, now);
		} else if (status !== undefined && status >= 200 && status < 300) {
			this.onSuccess(outcome.headers, now);
		}
	}

	private onRateLimited(startedAt: number, retryAfterMs: number | undefined, now: number): void {
		const pause =
			retryAfterMs ?? Math.min(FIRST_PAUSE_MS * 2 ** this.pausesInARow, LONGEST_OWN_PAUSE_MS);
		this.pausesInARow++;
		this.pausedUntil = Math.max(this.pausedUntil, now + pause);
		// Requests that were already out when the window was last lowered say nothing new.
		if (startedAt >= this.lastDecreaseAt) {
			const current = Math.min(this.window, this.inFlight + 1);
			this.window = Math.max(1, Math.floor(current / 2));
			this.lastDecreaseAt = now;
		}
	}

	private onSuccess(headers: Headers | undefined, now: number): void {
		this.pausesInARow = 0;
		if (this.window !== Infinity) {
			this.window++;
			if (this.window > UNLIMITED_ABOVE) this.window = Infinity;
		}
		const limit = header(headers, 'x-ratelimit-limit');
		const remaining = header(headers, 'x-ratelimit-remaining');
		const resetAt = resetTime(headers, now);
		if (limit !== undefined) this.limit = limit;
		if (remaining === undefined || resetAt === undefined || resetAt <= now) return;
		if (this.resetAt === undefined || resetAt > this.resetAt) {
			// A newer window than the one we count in. If we counted our starts since the last one
			// passed, they include requests the server had not seen yet when it answered.
			const rolled = this.resetAt === undefined && this.remaining !== undefined;
			this.remaining =
				rolled && this.limit !== undefined
					? Math.min(remaining, this.limit - this.startedSinceRoll)
					: remaining;
			this.resetAt = resetAt;
		} else if (resetAt === this.resetAt) {
			this.remaining = Math.min(this.remaining ?? remaining, remaining);
		}
	}
}

/**
 * A short, stable name for an API key: the registry of rate states is keyed by it so that the key
 * itself is never kept as a map key.
 */
export function keyDigest(text: string): string {
	return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}
