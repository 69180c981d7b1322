import { keyDigest, RateState } from '../../nodes/PerplexityChat/helpers/rateState';
import { RateGate, rateGateFor } from '../../nodes/PerplexityChat/transport/rateGate';

/** Response headers as the sandbox and Perplexity send them; reset in unix seconds. */
const limits = (limit: number, remaining: number, resetAtMs: number) => ({
	'x-ratelimit-limit': String(limit),
	'x-ratelimit-remaining': String(remaining),
	'x-ratelimit-reset': String(resetAtMs / 1000),
});

const T0 = 1_800_000_000_000;

/** A state whose first request has come back, without telling any limit. */
function warmedUp(): RateState {
	const state = new RateState();
	state.finish(start(state, T0 - 1), { status: 200 }, T0 - 1);
	return state;
}

function start(state: RateState, now: number): number {
	const decision = state.tryStart(now);
	if (!decision.go) throw new Error(`expected a start at ${now}, got a wait of ${decision.waitMs}`);
	return decision.startedAt;
}

describe('RateState', () => {
	it('sends one request alone first, then everything while it knows of no limit', () => {
		const state = new RateState();
		const first = start(state, T0);
		expect(state.tryStart(T0)).toEqual({ go: false, waitMs: Infinity, forSlot: true });
		state.finish(first, { status: 200 }, T0 + 100);
		for (let index = 0; index < 50; index++) start(state, T0 + 100);
		expect(state.inFlight).toBe(50);
	});

	it('a 429 pauses every request until the time the server gave', () => {
		const state = new RateState();
		const startedAt = start(state, T0);
		state.finish(startedAt, { status: 429, retryAfterMs: 2_000 }, T0 + 100);
		expect(state.tryStart(T0 + 100)).toEqual({ go: false, waitMs: 2_000, forSlot: false });
		expect(state.tryStart(T0 + 2_099)).toMatchObject({ go: false, waitMs: 1 });
		expect(state.tryStart(T0 + 2_100)).toMatchObject({ go: true });
	});

	it('without a time from the server, 429s in a row pause 1 s, 2 s, 4 s …', () => {
		const state = new RateState();
		const pauses = [];
		let now = T0;
		for (let index = 0; index < 4; index++) {
			const startedAt = start(state, now);
			state.finish(startedAt, { status: 429 }, now);
			pauses.push(state.pausedUntil - now);
			now = state.pausedUntil;
		}
		expect(pauses).toEqual([1_000, 2_000, 4_000, 8_000]);
		state.finish(start(state, now), { status: 200 }, now);
		state.finish(start(state, now), { status: 429 }, now);
		expect(state.pausedUntil - now).toBe(1_000);
	});

	it('halves the requests in flight on a 429, once per round, and adds one per success', () => {
		const state = warmedUp();
		const started = Array.from({ length: 20 }, () => start(state, T0));
		// All twenty were out together: the first 429 halves, the others of that round do not.
		state.finish(started[0], { status: 429, retryAfterMs: 0 }, T0 + 10);
		expect(state.window).toBe(10);
		for (const startedAt of started.slice(1, 10)) {
			state.finish(startedAt, { status: 429, retryAfterMs: 0 }, T0 + 20);
		}
		expect(state.window).toBe(10);
		for (const startedAt of started.slice(10)) state.finish(startedAt, { status: 200 }, T0 + 30);
		expect(state.window).toBe(20);
		expect(state.inFlight).toBe(0);

		for (let index = 0; index < 20; index++) start(state, T0 + 40);
		expect(state.tryStart(T0 + 40)).toEqual({ go: false, waitMs: Infinity, forSlot: true });
		// A 429 of a request sent after the last decrease halves again.
		state.finish(T0 + 40, { status: 429, retryAfterMs: 0 }, T0 + 50);
		expect(state.window).toBe(10);
	});

	it('lifts the in-flight limit once it has grown past the largest Concurrency', () => {
		const state = new RateState();
		state.finish(start(state, T0), { status: 429, retryAfterMs: 0 }, T0);
		expect(state.window).toBe(1);
		for (let index = 0; index < 100; index++) {
			state.finish(start(state, T0 + 1), { status: 200 }, T0 + 1);
		}
		expect(state.window).toBe(Infinity);
	});

	it('spends what x-ratelimit-remaining allows, then waits for x-ratelimit-reset', () => {
		const state = new RateState();
		const first = start(state, T0);
		// The server counted the first request: 4 of 5 left in a window ending at T0 + 60 s.
		state.finish(first, { status: 200, headers: limits(5, 4, T0 + 60_000) }, T0 + 10);
		expect(state.remaining).toBe(4);
		let now = T0 + 10;
		const starts: number[] = [];
		for (;;) {
			const decision = state.tryStart(now);
			if (decision.go) starts.push(decision.startedAt);
			else if (now + decision.waitMs >= T0 + 60_000) break;
			else now += decision.waitMs;
		}
		expect(starts).toHaveLength(4);
		expect(state.tryStart(now)).toEqual({ go: false, waitMs: T0 + 60_000 - now, forSlot: false });
		for (const startedAt of starts) {
			state.finish(startedAt, { status: 200, headers: limits(5, 0, T0 + 60_000) }, now);
		}
		// After the reset a fresh window holds the advertised limit again, at once.
		for (let index = 0; index < 5; index++) start(state, T0 + 60_000);
		expect(state.remaining).toBe(0);
	});

	it('sends in a burst while many are left, and spreads the last ones over the time to reset', () => {
		const state = new RateState();
		state.finish(start(state, T0), { status: 200, headers: limits(100, 40, T0 + 8_400) }, T0);
		for (let index = 0; index < 20; index++) start(state, T0);
		expect(state.remaining).toBe(20);
		// 20 left for the 8.4 s to the reset and 30 waiting: one every 400 ms, the last 400 ms
		// before the reset.
		expect(state.tryStart(T0 + 100, 30)).toEqual({ go: false, waitMs: 300, forSlot: false });
		expect(state.tryStart(T0 + 400, 30)).toMatchObject({ go: true });
		expect(state.tryStart(T0 + 400, 29)).toEqual({ go: false, waitMs: 400, forSlot: false });
	});

	it('sends at once what waits when it all fits in what is left of the window', () => {
		const state = new RateState();
		state.finish(start(state, T0), { status: 200, headers: limits(30, 10, T0 + 900) }, T0);
		// Ten left, ten waiting: the last of a run's items need not be spread over the window.
		for (let waiting = 10; waiting > 0; waiting--) {
			expect(state.tryStart(T0 + 1, waiting)).toMatchObject({ go: true });
		}
		expect(state.tryStart(T0 + 1, 1)).toEqual({ go: false, waitMs: 899, forSlot: false });
	});

	it('keeps the lower of its own count and the server’s within one window', () => {
		const state = warmedUp();
		const a = start(state, T0);
		const b = start(state, T0);
		state.finish(a, { status: 200, headers: limits(100, 98, T0 + 60_000) }, T0 + 5);
		expect(state.remaining).toBe(98);
		start(state, T0 + 6);
		expect(state.remaining).toBe(97);
		// An answer the server gave before it saw the latest start does not raise the count.
		state.finish(b, { status: 200, headers: limits(100, 98, T0 + 60_000) }, T0 + 7);
		expect(state.remaining).toBe(97);
		// Another process spent from the same limit: the server's lower figure wins.
		state.finish(T0 + 6, { status: 200, headers: limits(100, 40, T0 + 60_000) }, T0 + 8);
		expect(state.remaining).toBe(40);
	});

	it('after a window passed, counts its own starts against the new window the server reports', () => {
		const state = new RateState();
		state.finish(start(state, T0), { status: 200, headers: limits(6, 0, T0 + 1_000) }, T0);
		// The window passed: six may go at once before any answer tells the new window.
		for (let index = 0; index < 6; index++) start(state, T0 + 1_000);
		expect(state.tryStart(T0 + 1_000)).toEqual({ go: false, waitMs: Infinity, forSlot: true });
		// The limit went up (a new tier): the six already sent still count against it.
		state.finish(T0 + 1_000, { status: 200, headers: limits(1000, 999, T0 + 61_000) }, T0 + 1_100);
		expect(state.remaining).toBe(994);
	});

	it('a request in flight when the window turns counts in the new one until its answer says otherwise', () => {
		const state = new RateState();
		state.finish(start(state, T0), { status: 200, headers: limits(3, 2, T0 + 1_000) }, T0 + 10);
		const a = start(state, T0 + 990);
		const b = start(state, T0 + 995);
		// The window turns with both still out: either may have reached the server after it.
		start(state, T0 + 1_000);
		expect(state.tryStart(T0 + 1_000)).toEqual({ go: false, waitMs: Infinity, forSlot: true });
		// a was counted in the window before: its place comes back.
		state.finish(a, { status: 200, headers: limits(3, 0, T0 + 1_000) }, T0 + 1_050);
		start(state, T0 + 1_050);
		// b reached the server after the boundary: it stays counted, and the window is full.
		state.finish(b, { status: 200, headers: limits(3, 1, T0 + 2_000) }, T0 + 1_060);
		expect(state.remaining).toBe(0);
		expect(state.tryStart(T0 + 1_060)).toEqual({ go: false, waitMs: 940, forSlot: false });
	});

	it('does not take window figures from a 429, only its pause', () => {
		const state = new RateState();
		state.finish(
			start(state, T0),
			{ status: 429, retryAfterMs: 20, headers: limits(1000, 0, T0 + 60_000) },
			T0,
		);
		expect(state.remaining).toBeUndefined();
		expect(state.tryStart(T0 + 20)).toMatchObject({ go: true });
	});

	it('an error that is not a 429 only frees its place', () => {
		const state = new RateState();
		state.finish(start(state, T0), { status: 503 }, T0);
		state.finish(start(state, T0), {}, T0);
		expect(state).toMatchObject({ inFlight: 0, window: Infinity, pausedUntil: 0 });
	});
});

describe('RateGate', () => {
	it('a wait longer than what is left of Max Wait for Rate Limit is not begun', async () => {
		let now = T0;
		const gate = new RateGate(() => now);
		const entry = await gate.enter(1_000);
		expect(entry).toEqual({ entered: true, startedAt: T0, waitedMs: 0 });
		if (!entry.entered) return;
		gate.leave(entry.startedAt, { status: 429, retryAfterMs: 5_000 });
		now += 10;
		expect(await gate.enter(1_000)).toEqual({ entered: false, reason: 'expired', waitedMs: 0 });
	});

	it('a cancelled execution does not wait', async () => {
		const gate = new RateGate(() => T0);
		const entry = await gate.enter(60_000);
		if (entry.entered) gate.leave(entry.startedAt, { status: 429, retryAfterMs: 30_000 });
		const controller = new AbortController();
		const waiting = gate.enter(60_000, controller.signal);
		controller.abort();
		expect(await waiting).toMatchObject({ entered: false, reason: 'cancelled' });
	});

	it('a request waiting for a place in flight starts when one ends', async () => {
		const gate = new RateGate(() => T0);
		const first = await gate.enter(60_000);
		if (!first.entered) throw new Error('not entered');
		gate.leave(first.startedAt, { status: 429, retryAfterMs: 0 });
		// The window is down to one: a second request waits for the first to end.
		const a = await gate.enter(60_000);
		if (!a.entered) throw new Error('not entered');
		let bStarted = false;
		const b = gate.enter(60_000).then((entry) => {
			bStarted = true;
			return entry;
		});
		await Promise.resolve();
		expect(bStarted).toBe(false);
		gate.leave(a.startedAt, { status: 200 });
		expect(await b).toMatchObject({ entered: true });
	});
});

describe('RateGate: what waits decides whether to spread', () => {
	/**
	 * Holds `count` requests at a gate whose first request is out (the others wait for its
	 * answer), answers it with `remaining` of 30 left in a window ending 900 ms later, and tells
	 * which of the held ones started at once; the others are cancelled.
	 */
	async function startedAtOnce(count: number, remaining: number): Promise<boolean[]> {
		const gate = new RateGate(() => T0);
		const first = await gate.enter(60_000);
		if (!first.entered) throw new Error('not entered');
		const cancel = new AbortController();
		const held = Array.from({ length: count }, () => gate.enter(60_000, cancel.signal));
		gate.leave(first.startedAt, { status: 200, headers: limits(30, remaining, T0 + 900) });
		await new Promise((resolve) => setImmediate(resolve));
		cancel.abort();
		return (await Promise.all(held)).map((entry) => entry.entered);
	}

	it('the requests held at the gate go at once when they all fit in what is left of the window', async () => {
		expect(await startedAtOnce(3, 3)).toEqual([true, true, true]);
	});

	it('when more are held than the window has left, they are spread over the time to the reset', async () => {
		// Three left for five: the first of them goes a quarter of the 900 ms later, not now.
		expect(await startedAtOnce(5, 3)).toEqual(Array(5).fill(false));
	});
});

describe('RateGate and Max Requests per Minute', () => {
	it('gives every request of the state with the same cap the same limiter', () => {
		const gate = new RateGate(() => T0);
		expect(gate.limiterFor(50)).toBe(gate.limiterFor(50));
		expect(gate.limiterFor(100)).not.toBe(gate.limiterFor(50));
	});
});

describe('rateGateFor', () => {
	it('shares one gate per API key and Base URL, keyed by a digest of the key', () => {
		const gate = rateGateFor('http://127.0.0.1:1', 'pplx-aaaaaaaaaaaa');
		expect(rateGateFor('http://127.0.0.1:1', 'pplx-aaaaaaaaaaaa')).toBe(gate);
		expect(rateGateFor('http://127.0.0.1:1', 'pplx-bbbbbbbbbbbb')).not.toBe(gate);
		expect(rateGateFor('http://127.0.0.1:2', 'pplx-aaaaaaaaaaaa')).not.toBe(gate);
		expect(keyDigest('pplx-aaaaaaaaaaaa')).not.toContain('aaaa');
		expect(keyDigest('pplx-aaaaaaaaaaaa')).toBe(keyDigest('pplx-aaaaaaaaaaaa'));
	});
});
