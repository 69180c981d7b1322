'use strict';
/**
 * The rate-limit part of npm run bench (issue 8): the node under test against the sandbox's own
 * limiter, one execution and two at once on one limit, each run checked item by item, beside n8n's
 * built-in Perplexity node under the same limit. How to read it: BENCHMARK.md.
 */
const { benchWorkflow, UNDER_TEST } = require('./workflows');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Perplexity states its limits per minute, and at 50 a minute 200 items take four minutes. Each
 * limit runs here in windows a tenth of a minute long holding a tenth of the limit (the same rate:
 * 50 per minute is 5 per 6 s), with time running 6× faster, so that a window lasts 1 s: the length
 * of the window Perplexity's own x-ratelimit headers describe. The sandbox's 100 ms answers then
 * stand for answers of 0.6 s.
 */
const TIME_SCALE = 6;
const RATE_LIMITS = [50, 300].map((perMinute) => ({
	id: `${perMinute}/min`,
	perMinute,
	limit: perMinute / 10,
	windowMs: 60_000 / 10 / TIME_SCALE,
}));
const CONCURRENCIES = [5, 20, 50];
const EXECUTIONS = [1, 2];
const TAGS = ['A ', 'B '];
/** A run of the node under test before the figures of each limit, so that its rate state knows
 * the limit as in an n8n that has been running against it; not counted. */
const WARM_UP_ITEMS = 20;
const TARGET_RATIO = 1.1;
const TARGET_429_SHARE = 0.05;

/**
 * The time the limit allows: what the fastest possible client needs for `requests` requests
 * from `startMs` on, with at most `inFlight` at once, each answered `latencyMs` after it starts,
 * and at most `limit` starting in each of the limiter's windows (laid on the clock, as the
 * sandbox's are). It starts every request as soon as both a place in flight and the window allow,
 * which no schedule can beat.
 */
function limitAllowsMs({ requests, inFlight, latencyMs, limit, windowMs, startMs }) {
	// When each place in flight is free again.
	const free = new Array(Math.min(inFlight, requests)).fill(startMs);
	let window = Math.floor(startMs / windowMs);
	let used = 0;
	let end = startMs;
	for (let i = 0; i < requests; i++) {
		let place = 0;
		for (let p = 1; p < free.length; p++) if (free[p] < free[place]) place = p;
		let at = Math.max(free[place], window * windowMs);
		if (Math.floor(at / windowMs) > window) {
			window = Math.floor(at / windowMs);
			used = 0;
		}
		if (used >= limit) {
			window++;
			used = 0;
			at = window * windowMs;
		}
		used++;
		free[place] = at + latencyMs;
		end = Math.max(end, at + latencyMs);
	}
	return end - startMs;
}

/**
 * What one execution of a limited run gave: its node's time span, and its items answered, each
 * paired to its input and answering its own question. Anything else than an answer or a missing
 * item (an answer to another item, a wrong pairing) makes the run not count.
 */
function readExecution(execution, { items, tag, label }) {
	const run = execution.data?.resultData?.runData?.[UNDER_TEST]?.[0];
	if (!run) throw new Error(`${label}: the node under test did not run`);
	const out = run.data?.main?.[0] ?? [];
	const answered = new Set();
	for (const [i, item] of out.entries()) {
		if (item.error || item.json?.error) continue;
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		const pairedIndex = typeof paired === 'number' ? paired : paired?.item;
		if (pairedIndex !== undefined && pairedIndex !== i) {
			throw new Error(`${label}: item ${i} is paired to ${pairedIndex}`);
		}
		if (!JSON.stringify(item.json).includes(`${tag}Question ${i}?`)) {
			throw new Error(`${label}: item ${i} does not answer its question`);
		}
		answered.add(i);
	}
	if (out.length > items) throw new Error(`${label}: ${out.length} items out of ${items}`);
	return {
		status: execution.status,
		startMs: run.startTime,
		endMs: run.startTime + run.executionTime,
		answered,
		lost: items - answered.size,
	};
}

/**
 * Each answered item of the node under test was answered by exactly one successful request, and
 * no request was answered twice for one item (that would be an item paid for twice).
 */
function checkRequests(requests, { items, tag, answered, label }) {
	const ok = new Map();
	for (const r of requests) {
		if (r.status === 200 && r.prompt?.startsWith(tag))
			ok.set(r.prompt, (ok.get(r.prompt) ?? 0) + 1);
	}
	for (let i = 0; i < items; i++) {
		const count = ok.get(`${tag}Question ${i}?`) ?? 0;
		if (count > 1) throw new Error(`${label}: item ${i} was answered ${count} times`);
		if (answered.has(i) && count !== 1) {
			throw new Error(`${label}: item ${i} has an answer but no successful request`);
		}
	}
}

/**
 * Runs the workflows together against the sandbox, under `rate` or without any limit, and checks
 * every execution; returns them with the requests the sandbox saw and the span of the node.
 */
async function checkedRun(ctx, { workflowIds, variant, items, rate, latencyMs, label }) {
	const { instance, sandbox } = ctx;
	sandbox.reset();
	sandbox.configure({
		latencyMs,
		rateLimit: rate ? { limit: rate.limit, windowMs: rate.windowMs } : null,
	});
	// The reset starts the limiter's count afresh, while the node's rate state remembers the
	// window its last run ended in: start once that window has passed, as the next one begins,
	// so that both agree on what is left.
	if (rate) await sleep(rate.windowMs - (Date.now() % rate.windowMs));
	const runs = await instance.runTogether(workflowIds);
	const requests = sandbox.requests().filter((r) => r.path === '/v1/agent');
	const executions = [];
	for (const [i, { executionId }] of runs.entries()) {
		const execution = await instance.execution(executionId);
		const tag = TAGS[i];
		const read = readExecution(execution, { items, tag, label });
		if (variant.node === 'ours')
			checkRequests(requests, { items, tag, answered: read.answered, label });
		executions.push(read);
	}
	const startMs = Math.min(...executions.map((e) => e.startMs));
	const timeMs = Math.max(...executions.map((e) => e.endMs)) - startMs;
	return { executions, requests, startMs, timeMs };
}

/**
 * One line of the table: the run under the limit, and for the node under test the same run
 * without any limit just before it (on a credential with its own rate state), which tells what
 * n8n and the node need on this machine at that moment when no limit holds them back.
 */
async function limitedRun(
	ctx,
	{ workflowIds, unlimitedIds, variant, items, rate, latencyMs, label },
) {
	const unlimited = unlimitedIds
		? await checkedRun(ctx, {
				workflowIds: unlimitedIds,
				variant,
				items,
				rate: null,
				latencyMs,
				label: `${label} without a limit`,
			})
		: undefined;
	const run = await checkedRun(ctx, { workflowIds, variant, items, rate, latencyMs, label });
	const { executions, requests, startMs, timeMs } = run;
	const allowedMs = limitAllowsMs({
		requests: items * executions.length,
		// The built-in node has no concurrency setting: n8n sends all of its requests at once.
		inFlight: (variant.concurrency ?? items) * executions.length,
		latencyMs,
		limit: rate.limit,
		windowMs: rate.windowMs,
		startMs,
	});
	const rateLimited = requests.filter((r) => r.status === 429).length;
	// Where the time went: requests per window of the limiter from the node's start (a full
	// window means the limit held the node back), and how long its first request took to arrive.
	const firstWindow = Math.floor(startMs / rate.windowMs);
	const perWindow = [];
	for (const r of requests) {
		const index = Math.floor(r.startedAt / rate.windowMs) - firstWindow;
		perWindow[index] = (perWindow[index] ?? 0) + 1;
	}
	return {
		limit: rate.id,
		variant: variant.id,
		label: variant.label,
		node: variant.node,
		concurrency: variant.concurrency,
		executions: executions.length,
		items: items * executions.length,
		statuses: executions.map((e) => e.status),
		lost: executions.reduce((sum, e) => sum + e.lost, 0),
		requests: requests.length,
		answered200: requests.filter((r) => r.status === 200).length,
		rateLimited,
		rateLimitedShare: requests.length ? rateLimited / requests.length : 0,
		timeMs,
		allowedMs,
		ratio: timeMs / allowedMs,
		unlimitedMs: unlimited?.timeMs,
		// Against what the node could do at best here: the limit's time, or its own without one.
		vsOwnPace: unlimited ? timeMs / Math.max(allowedMs, unlimited.timeMs) : undefined,
		requestsPerWindow: Array.from(perWindow, (count) => count ?? 0),
		firstRequestMs: Math.min(...requests.map((r) => r.startedAt)) - startMs,
	};
}

function targets(rows) {
	const ours = rows.filter((r) => r.node === 'ours');
	if (ours.length === 0) return [];
	const worst = (key) => ours.reduce((a, b) => (b[key] > a[key] ? b : a));
	const where = (r) =>
		`${r.limit}, Concurrency ${r.concurrency}, ${r.executions === 2 ? 'two executions' : 'one execution'}`;
	const lost = worst('lost');
	const share = worst('rateLimitedShare');
	const slow = worst('ratio');
	return [
		{
			name: `no item lost, in each of the ${ours.length} runs of Perplexity Chat`,
			met: lost.lost === 0,
			detail: lost.lost === 0 ? '0 lost' : `${lost.lost} lost at ${where(lost)}`,
		},
		{
			name: 'at most 5 % of requests answered 429',
			met: share.rateLimitedShare <= TARGET_429_SHARE,
			detail: `highest ${(share.rateLimitedShare * 100).toFixed(1)} %, at ${where(share)}`,
		},
		{
			name: 'within 10 % of the time the limit allows',
			met: slow.ratio <= TARGET_RATIO,
			detail: `slowest ${slow.ratio.toFixed(2)}×, at ${where(slow)}`,
		},
	];
}

/**
 * Runs every limit: a warm-up of the node under test, then n8n's built-in node and the node under
 * test at each Concurrency, one execution and two at once.
 */
async function rateLimitRuns(ctx, o, log) {
	const { instance, creds } = ctx;
	const items = o.rateItems;
	const variants = [
		{ id: 'builtin', label: 'built-in Perplexity', node: 'builtin', transport: 'tls' },
		...CONCURRENCIES.map((concurrency) => ({
			id: `c${concurrency}`,
			label: 'Perplexity Chat',
			node: 'ours',
			transport: 'tls',
			concurrency,
		})),
	];
	const credentialFor = (variant, ownState) => {
		if (variant.node === 'builtin') return creds.builtin;
		return ownState ? creds.tlsOwnState : creds.tls;
	};
	const workflows = new Map();
	const workflowsFor = async (variant, count, executions, ownState = false) => {
		const ids = [];
		for (const tag of TAGS.slice(0, executions)) {
			const key = `${variant.id}:${count}:${tag}:${ownState}`;
			if (!workflows.has(key)) {
				const workflow = benchWorkflow({
					name: `bench rate limit ${variant.id} ${count} ${tag.trim()}${ownState ? ' own state' : ''}`,
					items: count,
					variant,
					credentialId: credentialFor(variant, ownState),
					sandboxUrl: ctx.sandbox.url,
					tag,
				});
				workflows.set(key, await instance.createWorkflow(workflow));
			}
			ids.push(workflows.get(key));
		}
		return ids;
	};

	const rows = [];
	for (const rate of RATE_LIMITS) {
		const warmUp = variants[1];
		await limitedRun(ctx, {
			workflowIds: await workflowsFor(warmUp, WARM_UP_ITEMS, 1),
			variant: warmUp,
			items: WARM_UP_ITEMS,
			rate,
			latencyMs: o.latencyMs,
			label: `warm-up ${rate.id}`,
		});
		for (const variant of variants) {
			for (const executions of EXECUTIONS) {
				const label = `rate limit ${rate.id} ${variant.id} ×${executions}`;
				const row = await limitedRun(ctx, {
					workflowIds: await workflowsFor(variant, items, executions),
					unlimitedIds:
						variant.node === 'ours'
							? await workflowsFor(variant, items, executions, true)
							: undefined,
					variant,
					items,
					rate,
					latencyMs: o.latencyMs,
					label,
				});
				rows.push(row);
				log(
					`${label}: ${row.lost} lost, ${row.rateLimited} of ${row.requests} answered 429, ` +
						`${Math.round(row.timeMs)} ms against ${Math.round(row.allowedMs)} ms allowed ` +
						`(${row.ratio.toFixed(2)}×)` +
						(row.unlimitedMs ? `, ${Math.round(row.unlimitedMs)} ms without a limit` : ''),
				);
			}
		}
	}
	const ours = rows.filter((r) => r.vsOwnPace !== undefined);
	return {
		items,
		latencyMs: o.latencyMs,
		slowestVsOwnPace: ours.reduce((a, b) => (b.vsOwnPace > a.vsOwnPace ? b : a), ours[0]),
		timeScale: TIME_SCALE,
		limits: RATE_LIMITS,
		warmUpItems: WARM_UP_ITEMS,
		rows,
		targets: targets(rows),
	};
}

module.exports = { rateLimitRuns, limitAllowsMs, RATE_LIMITS, TIME_SCALE };
