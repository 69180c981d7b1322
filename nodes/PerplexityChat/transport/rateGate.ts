import { keyDigest, type RateOutcome, RateState } from '../helpers/rateState';
import { RateLimiter, sleepUnlessCancelled } from '../helpers/scheduling';
import type { ApiFailure } from './failures';

export type GateEntry =
	| { entered: true; startedAt: number; waitedMs: number }
	| { entered: false; reason: 'cancelled' | 'expired'; waitedMs: number };

/**
 * Lets requests of one rate state start when the state allows, and wakes waiting requests when one
 * in flight ends. Every wait ends early on a cancel of the execution.
 */
export class RateGate {
	readonly state = new RateState();

	/** The last 429 any request of this state got: what a request that never got through reports. */
	lastRateLimit?: ApiFailure;

	private readonly waiters = new Set<AbortController>();

	/**
	 * Max Requests per Minute, one limiter per value in use: nodes on one key may cap differently,
	 * e.g. deep research, whose tier allows fewer requests than Sonar's.
	 */
	private readonly limiters = new Map<number, RateLimiter>();

	/** Requests inside enter(): those that want to start. */
	private entering = 0;

	constructor(private readonly now: () => number = Date.now) {}

	/** The limiter that every request of this state with this Max Requests per Minute shares. */
	limiterFor(perMinute: number): RateLimiter {
		let limiter = this.limiters.get(perMinute);
		if (!limiter) {
			limiter = new RateLimiter(perMinute, sleepUnlessCancelled, this.now);
			this.limiters.set(perMinute, limiter);
		}
		return limiter;
	}

	/**
	 * Waits until the request may start. `maxWaitMs` is what is left of the request's own limit for
	 * waiting on the rate limit; a wait that would go beyond it is not begun.
	 */
	async enter(maxWaitMs: number, signal?: AbortSignal): Promise<GateEntry> {
		this.entering++;
		try {
			const began = this.now();
			for (;;) {
				const now = this.now();
				const waitedMs = now - began;
				if (signal?.aborted) return { entered: false, reason: 'cancelled', waitedMs };
				const decision = this.state.tryStart(now, this.entering);
				if (decision.go) return { entered: true, startedAt: decision.startedAt, waitedMs };
				const left = maxWaitMs - waitedMs;
				if (!decision.forSlot && decision.waitMs > left) {
					return { entered: false, reason: 'expired', waitedMs };
				}
				if (left <= 0) return { entered: false, reason: 'expired', waitedMs };
				await this.waitForChange(Math.min(decision.waitMs, left), signal);
			}
		} finally {
			this.entering--;
		}
	}

	leave(startedAt: number, outcome: RateOutcome): void {
		this.state.finish(startedAt, outcome, this.now());
		for (const waiter of this.waiters) waiter.abort();
		this.waiters.clear();
	}

	/** Sleeps `ms`, or until a request in flight ends, or until the execution is cancelled. */
	private async waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
		const wake = new AbortController();
		const cancel = () => wake.abort();
		signal?.addEventListener('abort', cancel);
		this.waiters.add(wake);
		try {
			await sleepUnlessCancelled(ms, wake.signal);
		} finally {
			signal?.removeEventListener('abort', cancel);
			this.waiters.delete(wake);
		}
	}
}

/**
 * One rate state per API key and Base URL in this n8n process: n8n loads the node's module once,
 * so every item and every execution running at the same time meets the same gate. Queue-mode
 * workers are separate processes, each with its own.
 */
const gates = new Map<string, RateGate>();

export function rateGateFor(baseUrl: string, apiKey: unknown): RateGate {
	const key = `${baseUrl} ${keyDigest(typeof apiKey === 'string' ? apiKey : '')}`;
	let gate = gates.get(key);
	if (!gate) {
		gate = new RateGate();
		gates.set(key, gate);
	}
	return gate;
}
