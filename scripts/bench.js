#!/usr/bin/env node
'use strict';
/**
 * npm run bench: real n8n (the version the e2e tests use) runs one workflow shape, Manual Trigger →
 * Code node making N items → the node under test, against the Perplexity sandbox, and measures
 *
 *   1. throughput at 100 ms latency: n8n's built-in Perplexity node against this node at
 *      concurrency 1 and 10 (and 100), each against its physical limit;
 *   2. CPU per item at zero latency, n8n's main process, both nodes side by side, plus an
 *      in-process micro-benchmark of this node's pure per-item steps;
 *   3. peak memory of n8n's main process with 1,000 / 5,000 / 10,000 items;
 *   4. rate limits: items lost, 429s and time against the sandbox's limiter, one execution and
 *      two at once, beside the built-in node under the same limit.
 *
 * It prints the tables, writes them as JSON (test-results/bench.json) and refreshes the figures
 * in BENCHMARK.md: all of them after a full run, the rate-limit ones after any run of that part
 * at its defaults. How to read them: BENCHMARK.md.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const lib = require('./lib');
const { runBareClient } = require('./bench/bare-client');
const { BenchInstance } = require('./bench/instance');
const { runMicro } = require('./bench/micro');
const { rateLimitRuns } = require('./bench/ratelimit');
const { peakInFlight } = require('./bench/sandbox-log');
const {
	median,
	linearFit,
	renderFigures,
	renderRateLimit,
	updateBenchmarkMd,
} = require('./bench/report');
const { startTlsProxy } = require('./bench/tls-proxy');
const { benchWorkflow, UNDER_TEST } = require('./bench/workflows');

const USAGE = `Usage: npm run bench -- [options]

  --quick              1 run per figure, CPU with 1,000 items, memory at 1,000 and 5,000 items,
                       rate limits with 100 items (about a third of the time; BENCHMARK.md is
                       left alone)
  --only=PARTS         comma-separated: throughput, cpu, micro, memory, ratelimit (default: all)
  --reps=N             runs per throughput and CPU figure (default 3; medians are reported)
  --items=N            items for throughput and per execution for rate limits (default 200)
  --latency=MS         sandbox latency for throughput and rate limits (default 100)
  --cpu-items=N        items for the CPU figure (default 2000)
  --memory-sizes=A,B   item counts for the memory figure (default 1000,5000,10000)
  --no-build           pack the existing dist/ instead of building first
  --tarball=FILE       benchmark this packed package instead of packing the repository
  --expression-engine=vm|legacy
                       run n8n with N8N_EXPRESSION_ENGINE set (to see what n8n's expression
                       sandbox costs per item; n8n 2.x defaults to vm)
  --out=FILE           JSON output (default test-results/bench.json)
  --help`;

const PARTS = ['throughput', 'cpu', 'micro', 'memory', 'ratelimit'];

function parseArgs(argv) {
	const o = {
		quick: false,
		only: PARTS,
		reps: 3,
		items: 200,
		latencyMs: 100,
		cpuItems: 2000,
		memorySizes: [1000, 5000, 10000],
		build: true,
		tarball: undefined,
		expressionEngine: undefined,
		out: path.join(lib.REPO_ROOT, 'test-results', 'bench.json'),
	};
	const explicit = new Set();
	for (const arg of argv) {
		const [flag, value] = arg.split(/=(.*)/s);
		const int = () => {
			const n = Number(value);
			if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number`);
			return n;
		};
		explicit.add(flag);
		if (flag === '--help' || flag === '-h') {
			console.log(USAGE);
			process.exit(0);
		} else if (flag === '--quick') o.quick = true;
		else if (flag === '--no-build') o.build = false;
		else if (flag === '--only') o.only = value.split(',').filter(Boolean);
		else if (flag === '--reps') o.reps = Math.max(1, int());
		else if (flag === '--items') o.items = Math.max(1, int());
		else if (flag === '--latency') o.latencyMs = int();
		else if (flag === '--cpu-items') o.cpuItems = Math.max(1, int());
		else if (flag === '--memory-sizes') o.memorySizes = value.split(',').map(Number);
		else if (flag === '--out') o.out = path.resolve(value);
		else if (flag === '--tarball') o.tarball = path.resolve(value);
		else if (flag === '--expression-engine') o.expressionEngine = value;
		else throw new Error(`unknown option ${arg}\n\n${USAGE}`);
	}
	for (const part of o.only) {
		if (!PARTS.includes(part)) {
			throw new Error(`--only: unknown part "${part}"`);
		}
	}
	if (o.quick) {
		if (!explicit.has('--reps')) o.reps = 1;
		if (!explicit.has('--cpu-items')) o.cpuItems = 1000;
		if (!explicit.has('--memory-sizes')) o.memorySizes = [1000, 5000];
	}
	o.rateItems = o.quick && !explicit.has('--items') ? 100 : o.items;
	// Only a run with every part at its defaults, of this repository's code, speaks for the
	// package in BENCHMARK.md; the rate-limit figures have their own block there, which a run of
	// that part alone at its defaults refreshes.
	const defaults =
		!o.quick && [...explicit].every((f) => ['--no-build', '--out', '--only'].includes(f));
	o.full = defaults && PARTS.every((part) => o.only.includes(part));
	o.rateLimitOfficial = defaults && o.only.includes('ratelimit');
	if (o.expressionEngine && !['vm', 'legacy', 'quickjs'].includes(o.expressionEngine)) {
		throw new Error('--expression-engine: vm, legacy or quickjs');
	}
	return o;
}

/**
 * What is compared. HTTPS variants go through the TLS proxy to the sandbox, as the built-in node
 * has to: the same network path (a new TLS connection per request, as n8n's request helper opens)
 * for both nodes. The direct ones show what that path costs.
 */
const THROUGHPUT_VARIANTS = [
	{ id: 'a', label: 'built-in Perplexity (HTTPS)', node: 'builtin', transport: 'tls' },
	{ id: 'b', label: 'Perplexity Chat (HTTPS)', node: 'ours', transport: 'tls', concurrency: 1 },
	{ id: 'c', label: 'Perplexity Chat (HTTPS)', node: 'ours', transport: 'tls', concurrency: 10 },
	{ id: 'd', label: 'Perplexity Chat (HTTPS)', node: 'ours', transport: 'tls', concurrency: 100 },
	{ id: "b'", label: 'Perplexity Chat (HTTP)', node: 'ours', transport: 'direct', concurrency: 1 },
	{ id: "c'", label: 'Perplexity Chat (HTTP)', node: 'ours', transport: 'direct', concurrency: 10 },
];
const CPU_VARIANTS = [
	{ id: 'base', label: 'Code node only (baseline)' },
	{ id: 'h', label: 'reference: n8n HTTP Request node (HTTP)', node: 'httpRequest' },
	{ id: 'a', label: 'built-in Perplexity (HTTPS)', node: 'builtin', transport: 'tls' },
	{
		id: 'c',
		label: 'Perplexity Chat c=10 (HTTPS)',
		node: 'ours',
		transport: 'tls',
		concurrency: 10,
	},
	{
		id: "c'",
		label: 'Perplexity Chat c=10 (HTTP)',
		node: 'ours',
		transport: 'direct',
		concurrency: 10,
	},
];
const MEMORY_VARIANT = { id: 'ours', node: 'ours', transport: 'direct', concurrency: 10 };
const MEMORY_REFERENCE = { id: 'http', label: 'n8n HTTP Request node', node: 'httpRequest' };
const BARE_CONCURRENCY = 10;

const started = Date.now();
function log(message) {
	const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
	console.log(`[${s} s] ${message}`);
}

function credentialFor(variant, creds) {
	if (variant.node === 'httpRequest') return undefined;
	if (variant.node === 'builtin') return creds.builtin;
	return variant.transport === 'tls' ? creds.tls : creds.direct;
}

/**
 * Everything that must hold for a run's figures to count: the run succeeded, the node gave one
 * item per input item, each answering its own question and paired to it, and the sandbox saw
 * exactly one successful request per item.
 */
function verify({ execution, variant, items, requests }) {
	const problems = [];
	const resultData = execution.data?.resultData;
	if (resultData?.error) problems.push(`execution failed: ${resultData.error.message}`);
	if (!variant) return problems;
	const out = resultData?.runData?.[UNDER_TEST]?.[0]?.data?.main?.[0] ?? [];
	if (out.length !== items) problems.push(`${out.length} output items, expected ${items}`);
	for (let i = 0; i < out.length && problems.length < 5; i++) {
		const item = out[i];
		if (item.error || item.json?.error) problems.push(`item ${i} is an error`);
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		const pairedIndex = typeof paired === 'number' ? paired : paired?.item;
		if (pairedIndex !== undefined && pairedIndex !== i) {
			problems.push(`item ${i} is paired to ${pairedIndex}`);
		}
		if (!JSON.stringify(item.json).includes(`Question ${i}?`)) {
			problems.push(`item ${i} does not answer question ${i}`);
		}
	}
	const calls = requests.filter((r) => r.path === '/v1/agent');
	const ok = calls.filter((r) => r.status === 200).length;
	if (calls.length !== items || ok !== items) {
		problems.push(
			`the sandbox saw ${calls.length} requests (${ok} answered 200) for ${items} items`,
		);
	}
	return problems;
}

function nodeTime(execution) {
	return execution.data?.resultData?.runData?.[UNDER_TEST]?.[0]?.executionTime;
}

/** Runs one workflow, checks it, and returns its figures. */
async function measuredRun(ctx, { workflowId, variant, items, latencyMs, label }) {
	const { instance, sandbox, proxy } = ctx;
	sandbox.reset();
	sandbox.configure({ latencyMs });
	const connectsBefore = proxy.connects();
	const run = await instance.run(workflowId);
	const requests = sandbox.requests();
	const execution = await instance.execution(run.executionId);
	const problems = verify({ execution, variant, items, requests });
	if (problems.length) {
		throw new Error(`${label}: the run does not count:\n  ${problems.join('\n  ')}`);
	}
	return {
		...run,
		nodeMs: nodeTime(execution),
		peakInFlight: peakInFlight(requests),
		tlsConnections: proxy.connects() - connectsBefore,
		requests: requests.length,
	};
}

async function throughputAndCpu(ctx, o, summary) {
	const { instance, creds } = ctx;
	const workflows = new Map();
	const workflowFor = async (variant, items) => {
		const key = `${variant.id}:${items}`;
		if (!workflows.has(key)) {
			const workflow = benchWorkflow({
				name: `bench ${variant.id} ${items}`,
				items,
				variant: variant.node ? variant : undefined,
				credentialId: variant.node ? credentialFor(variant, creds) : undefined,
				sandboxUrl: ctx.sandbox.url,
			});
			workflows.set(key, await instance.createWorkflow(workflow));
		}
		return workflows.get(key);
	};

	// The first executions of a node are slower (V8 compiles, n8n loads the node type and the
	// credential, TLS contexts are built): one small run of each variant before anything counts.
	log('warming up');
	for (const variant of [...THROUGHPUT_VARIANTS, ...CPU_VARIANTS]) {
		const items = 20;
		await measuredRun(ctx, {
			workflowId: await workflowFor(variant, items),
			variant: variant.node ? variant : undefined,
			items,
			latencyMs: 0,
			label: `warm-up ${variant.id}`,
		});
	}
	await instance.settle({ quietSeconds: 12 });
	log(
		`n8n idle CPU: ${instance.idleCpuPerSecond.toFixed(1)} ms/s (subtracted from ` + 'CPU figures)',
	);

	if (o.only.includes('throughput')) {
		const runs = new Map(THROUGHPUT_VARIANTS.map((v) => [v.id, []]));
		// Round-robin rather than one variant after another: load from elsewhere on the machine
		// then spreads over all variants instead of skewing one.
		for (let rep = 1; rep <= o.reps; rep++) {
			for (const variant of THROUGHPUT_VARIANTS) {
				const run = await measuredRun(ctx, {
					workflowId: await workflowFor(variant, o.items),
					variant,
					items: o.items,
					latencyMs: o.latencyMs,
					label: `throughput ${variant.id}`,
				});
				runs.get(variant.id).push(run);
				log(
					`throughput ${variant.id} run ${rep}/${o.reps}: node ${run.nodeMs} ms, execution ` +
						`${run.wallMs} ms, peak ${run.peakInFlight} in flight`,
				);
			}
		}
		const rows = THROUGHPUT_VARIANTS.map((variant) => {
			const list = runs.get(variant.id);
			const nodeMs = median(list.map((r) => r.nodeMs));
			// The built-in node has no concurrency setting: it sends every item at once.
			const concurrency = variant.concurrency ?? o.items;
			const limitMs = Math.ceil(o.items / Math.min(concurrency, o.items)) * o.latencyMs;
			return {
				id: variant.id,
				label: variant.label,
				node: variant.node,
				transport: variant.transport,
				concurrency,
				concurrencyLabel: variant.concurrency ?? 'all at once',
				nodeMs,
				wallMs: median(list.map((r) => r.wallMs)),
				itemsPerSecond: (o.items * 1000) / nodeMs,
				limitMs,
				vsLimit: nodeMs / limitMs,
				peakInFlight: Math.max(...list.map((r) => r.peakInFlight)),
				tlsConnectionsPerRun: median(list.map((r) => r.tlsConnections)),
				runs: list.map((r) => ({ nodeMs: r.nodeMs, wallMs: r.wallMs, cpuMs: Math.round(r.cpuMs) })),
			};
		});
		const builtin = rows.find((r) => r.id === 'a');
		for (const row of rows) row.speedupVsBuiltin = builtin.nodeMs / row.nodeMs;

		// The floor that the sandbox and this machine set for (c), without n8n.
		const bareRuns = [];
		for (let rep = 1; rep <= o.reps; rep++) {
			ctx.sandbox.reset();
			ctx.sandbox.configure({ latencyMs: o.latencyMs });
			const bare = await runBareClient({
				url: ctx.sandbox.url,
				key: lib.SANDBOX_API_KEY,
				items: o.items,
				concurrency: BARE_CONCURRENCY,
			});
			if (bare.ok !== o.items) throw new Error(`bare client: ${bare.ok} of ${o.items} answered`);
			bareRuns.push(bare.ms);
			log(`bare client run ${rep}/${o.reps}: ${Math.round(bare.ms)} ms`);
		}
		const bareMs = median(bareRuns);
		const bareLimitMs = Math.ceil(o.items / BARE_CONCURRENCY) * o.latencyMs;

		summary.throughput = {
			items: o.items,
			latencyMs: o.latencyMs,
			reps: o.reps,
			// What the issue assumed for the built-in node (one item after another).
			assumedSequentialLimitMs: o.items * o.latencyMs,
			rows,
			bareClient: {
				concurrency: BARE_CONCURRENCY,
				ms: bareMs,
				limitMs: bareLimitMs,
				vsLimit: bareMs / bareLimitMs,
				runs: bareRuns.map(Math.round),
			},
		};
	}

	if (o.only.includes('cpu')) {
		const runs = new Map(CPU_VARIANTS.map((v) => [v.id, []]));
		for (let rep = 1; rep <= o.reps; rep++) {
			for (const variant of CPU_VARIANTS) {
				const run = await measuredRun(ctx, {
					workflowId: await workflowFor(variant, o.cpuItems),
					variant: variant.node ? variant : undefined,
					items: o.cpuItems,
					latencyMs: 0,
					label: `cpu ${variant.id}`,
				});
				runs.get(variant.id).push(run);
				log(
					`cpu ${variant.id} run ${rep}/${o.reps}: ${Math.round(run.cpuMs)} ms CPU, node ` +
						`${run.nodeMs ?? '-'} ms`,
				);
			}
		}
		const baseline = median(runs.get('base').map((r) => r.cpuMs));
		summary.cpu = {
			items: o.cpuItems,
			reps: o.reps,
			idleCpuMsPerSecond: instance.idleCpuPerSecond,
			rows: CPU_VARIANTS.map((variant) => {
				const list = runs.get(variant.id);
				const cpuMs = median(list.map((r) => r.cpuMs));
				return {
					id: variant.id,
					label: variant.label,
					cpuMs,
					perItemMs: variant.node ? (cpuMs - baseline) / o.cpuItems : undefined,
					nodeMs: variant.node ? median(list.map((r) => r.nodeMs)) : undefined,
					jsonBytesPerItem: median(list.map((r) => r.jsonSizeBytes)) / o.cpuItems,
					runs: list.map((r) => Math.round(r.cpuMs)),
				};
			}),
		};
	}
}

/**
 * One fresh `n8n start` per figure. Its peak-RSS mark is reset once it is idle (start-up loads
 * every node type and can peak above what a small run reaches), so the reading after the run is
 * the peak of the run itself, on top of the same idle process in every case.
 */
async function memoryRun(ctx, items, variant) {
	const instance = await new BenchInstance(ctx.instanceOptions).start();
	try {
		const creds = await instance.ensureCredentials();
		const workflowId = await instance.createWorkflow(
			benchWorkflow({
				name: `bench memory ${variant?.id ?? 'base'} ${items}`,
				items,
				variant,
				credentialId: variant ? credentialFor(variant, creds) : undefined,
				sandboxUrl: ctx.sandbox.url,
			}),
		);
		await instance.settle();
		const idle = instance.memory();
		instance.resetPeak();
		ctx.sandbox.reset();
		// run() reads the peak when the execution ends, before the execution is fetched below
		// (loading its data makes n8n allocate again).
		const run = await instance.run(workflowId, { timeoutMs: 30 * 60 * 1000 });
		const requests = ctx.sandbox.requests();
		const execution = await instance.execution(run.executionId);
		const problems = verify({ execution, variant, items, requests });
		if (problems.length) throw new Error(`memory ${items}: ${problems.join('; ')}`);
		log(
			`memory ${variant?.id ?? 'base'} ${items} items: idle RSS ` +
				`${(idle.rss / 1048576).toFixed(0)} MiB, peak ${(run.memory.hwm / 1048576).toFixed(0)} MiB`,
		);
		return {
			hwm: run.memory.hwm,
			idleRss: idle.rss,
			jsonBytes: run.jsonSizeBytes,
			nodeMs: variant ? nodeTime(execution) : undefined,
		};
	} finally {
		await instance.stop();
	}
}

/**
 * Peak RSS depends on when V8 happens to collect, so one reading per figure is noisy (two runs of
 * the same workflow can differ by 100s of MiB): every figure is the median of `reps` fresh
 * processes, with the spread kept in the JSON.
 */
async function memoryRuns(ctx, o, summary) {
	const rows = [];
	const spread = (list) => ({ min: Math.min(...list), max: Math.max(...list) });
	for (const items of o.memorySizes) {
		const base = [];
		const ours = [];
		for (let rep = 0; rep < o.reps; rep++) {
			base.push(await memoryRun(ctx, items, undefined));
			ours.push(await memoryRun(ctx, items, MEMORY_VARIANT));
		}
		const baselineHwm = median(base.map((r) => r.hwm));
		const oursHwm = median(ours.map((r) => r.hwm));
		rows.push({
			items,
			baselineHwm,
			oursHwm,
			oursHwmRange: spread(ours.map((r) => r.hwm)),
			baselineHwmRange: spread(base.map((r) => r.hwm)),
			idleRss: median([...base, ...ours].map((r) => r.idleRss)),
			increase: oursHwm - baselineHwm,
			bytesPerItem: (oursHwm - baselineHwm) / items,
			jsonBytesPerItem:
				(median(ours.map((r) => r.jsonBytes)) - median(base.map((r) => r.jsonBytes))) / items,
			nodeMs: median(ours.map((r) => r.nodeMs)),
		});
	}
	const fit = linearFit(rows.map((r) => [r.items, r.increase]));
	const marginal = rows.slice(1).map((r, i) => ({
		from: rows[i].items,
		to: r.items,
		bytesPerItem: (r.increase - rows[i].increase) / (r.items - rows[i].items),
	}));
	// n8n's own HTTP Request node making the same request per item, at the largest size: what
	// n8n itself holds per item for one expression and one request.
	const largest = rows[rows.length - 1];
	const items = largest.items;
	const reference = [];
	for (let rep = 0; rep < o.reps; rep++) {
		reference.push(await memoryRun(ctx, items, MEMORY_REFERENCE));
	}
	const referenceHwm = median(reference.map((r) => r.hwm));
	summary.memory = {
		concurrency: MEMORY_VARIANT.concurrency,
		reps: o.reps,
		rows,
		fit,
		marginal,
		reference: {
			label: MEMORY_REFERENCE.label,
			items,
			hwm: referenceHwm,
			hwmRange: spread(reference.map((r) => r.hwm)),
			increase: referenceHwm - largest.baselineHwm,
			bytesPerItem: (referenceHwm - largest.baselineHwm) / items,
		},
	};
}

function targets(summary) {
	const list = [];
	const t = summary.throughput;
	if (t) {
		const c = t.rows.find((r) => r.id === 'c');
		list.push({
			name: '(c) at least 8× faster than the built-in node (a)',
			met: c.speedupVsBuiltin >= 8,
			detail: `${c.speedupVsBuiltin.toFixed(2)}×`,
		});
		list.push({
			name: '(c) within 20 % of its physical limit',
			met: c.vsLimit <= 1.2,
			detail: `${(c.nodeMs / 1000).toFixed(2)} s against ${(c.limitMs / 1000).toFixed(2)} s, ${c.vsLimit.toFixed(2)}×`,
		});
	}
	if (summary.cpu) {
		for (const row of summary.cpu.rows.filter((r) => r.id === 'c' || r.id === "c'")) {
			list.push({
				name: `under 1 ms CPU per item, ${row.label}`,
				met: row.perItemMs < 1,
				detail: `${row.perItemMs.toFixed(3)} ms`,
			});
		}
	}
	if (summary.micro) {
		list.push({
			name: "under 1 ms CPU per item, the node's pure steps in-process",
			met: summary.micro.totalUsPerItem < 1000,
			detail: `${summary.micro.totalUsPerItem.toFixed(1)} µs`,
		});
	}
	if (summary.memory && summary.memory.rows.length >= 2) {
		const { rows, reference } = summary.memory;
		const first = rows[0];
		const last = rows[rows.length - 1];
		// Linear growth keeps the increase per item flat as items grow (quadratic growth would
		// multiply it by the ratio of the sizes, 10× from 1,000 to 10,000); the 1.5× allows for
		// when V8 happens to collect. Marginal costs between two sizes are printed above too, but
		// as differences of two peaks they swing with that timing far more than the averages do.
		list.push({
			name: 'memory grows linearly with items',
			met: last.bytesPerItem <= first.bytesPerItem * 1.5,
			detail:
				`increase per item ${(first.bytesPerItem / 1024).toFixed(1)} KiB at ${first.items} items, ` +
				`${(last.bytesPerItem / 1024).toFixed(1)} KiB at ${last.items}`,
		});
		list.push({
			name: "memory per item modest: no more than n8n's own HTTP Request node",
			met: last.bytesPerItem <= reference.bytesPerItem,
			detail:
				`${(last.bytesPerItem / 1024).toFixed(1)} KiB against ` +
				`${(reference.bytesPerItem / 1024).toFixed(1)} KiB per item at ${reference.items} items`,
		});
	}
	return list;
}

function gitCommit() {
	try {
		const opts = { cwd: lib.REPO_ROOT, encoding: 'utf8' };
		const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
		const dirty = execFileSync(
			'git',
			['status', '--porcelain', '--', 'nodes', 'credentials'],
			opts,
		);
		return dirty.trim() ? `${head} + uncommitted node changes` : head;
	} catch {
		return 'unknown';
	}
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const pkg = JSON.parse(fs.readFileSync(path.join(lib.REPO_ROOT, 'package.json'), 'utf8'));
	const summary = {
		meta: {
			date: new Date().toISOString(),
			mode: o.full ? 'full' : o.quick ? 'quick' : 'partial',
			options: { ...o, out: path.relative(lib.REPO_ROOT, o.out) },
			packageVersion: pkg.version,
			commit: gitCommit(),
			benchNode: process.version,
			machine: {
				cpus: os.cpus().length,
				cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
				memGiB: os.totalmem() / 1024 ** 3,
				kernel: os.release(),
			},
			loadBefore: os.loadavg(),
		},
		targets: [],
	};
	log(
		`bench (${summary.meta.mode}): ${o.only.join(', ')}; ${os.cpus().length} CPUs, load ${os
			.loadavg()
			.map((l) => l.toFixed(1))
			.join(' ')}`,
	);

	const needsN8n = o.only.some((p) => ['throughput', 'cpu', 'memory', 'ratelimit'].includes(p));
	let tarball = o.tarball;
	let install;
	if (needsN8n) install = await lib.ensureN8n({ log });
	if (!tarball && (needsN8n || o.build)) {
		tarball = await lib.packPackage({ build: o.build ? true : 'if-missing', log });
	}
	if (install) {
		summary.meta.n8nVersion = install.version;
		summary.meta.n8nNode = install.node.version;
	}

	if (o.only.includes('micro')) {
		log('micro-benchmark of the pure steps (dist/)');
		summary.micro = await runMicro({ log });
	}

	const cleanup = [];
	try {
		if (needsN8n) {
			const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-bench-'));
			cleanup.push(() => fs.rmSync(userFolder, { recursive: true, force: true }));
			await lib.installPackage({ userFolder, tarball, node: install.node });
			const { startSandbox } = require(path.join(lib.REPO_ROOT, 'test', 'sandbox', 'server'));
			// Quiet and without bodies: the sandbox shares this process, not n8n's, but a log of
			// 10,000 bodies would still slow the machine that n8n runs on.
			const sandbox = await startSandbox({
				port: 0,
				apiKey: lib.SANDBOX_API_KEY,
				logBodies: false,
				quiet: true,
			});
			cleanup.unshift(() => sandbox.stop());
			const proxy = await startTlsProxy({ target: sandbox.port });
			cleanup.unshift(() => proxy.stop());
			const env = {};
			if (o.expressionEngine) env.N8N_EXPRESSION_ENGINE = o.expressionEngine;
			const ctx = {
				sandbox,
				proxy,
				instanceOptions: {
					install,
					userFolder,
					sandbox,
					proxy,
					log,
					env,
				},
			};

			if (o.only.includes('throughput') || o.only.includes('cpu')) {
				ctx.instance = await new BenchInstance(ctx.instanceOptions).start();
				try {
					ctx.creds = await ctx.instance.ensureCredentials();
					await throughputAndCpu(ctx, o, summary);
				} finally {
					await ctx.instance.stop();
				}
			}
			if (o.only.includes('memory')) await memoryRuns(ctx, o, summary);
			if (o.only.includes('ratelimit')) {
				// A fresh n8n: no rate state learned in the other parts carries over.
				const began = Date.now();
				ctx.instance = await new BenchInstance(ctx.instanceOptions).start();
				try {
					ctx.creds = await ctx.instance.ensureCredentials();
					summary.ratelimit = await rateLimitRuns(ctx, o, log);
				} finally {
					await ctx.instance.stop();
				}
				summary.ratelimit.durationS = (Date.now() - began) / 1000;
			}
			const refused = proxy.refused();
			if (refused.length) summary.meta.proxyRefused = refused;
		}
	} finally {
		for (const step of cleanup) await step();
		if (tarball && !o.tarball) fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}

	summary.targets = targets(summary);
	summary.meta.durationS = (Date.now() - started) / 1000;
	summary.meta.loadAfter = os.loadavg();
	if (!summary.meta.n8nVersion) {
		summary.meta.n8nVersion = lib.n8nVersion();
		summary.meta.n8nNode = '(not started)';
	}

	const figures = renderFigures(summary);
	const rateLimitFigures = summary.ratelimit ? renderRateLimit(summary) : undefined;
	if (o.only.some((part) => part !== 'ratelimit')) console.log(`\n${figures}\n`);
	if (rateLimitFigures) console.log(`\n${rateLimitFigures}\n`);
	fs.mkdirSync(path.dirname(o.out), { recursive: true });
	fs.writeFileSync(o.out, `${JSON.stringify(summary, null, '\t')}\n`);
	log(`figures written to ${path.relative(process.cwd(), o.out)}`);
	const benchmarkMd = path.join(lib.REPO_ROOT, 'BENCHMARK.md');
	if (o.full && updateBenchmarkMd(benchmarkMd, figures)) log('BENCHMARK.md updated');
	if (o.rateLimitOfficial && updateBenchmarkMd(benchmarkMd, rateLimitFigures, 'ratelimit')) {
		log('BENCHMARK.md: rate-limit figures updated');
	}
}

main().catch((error) => {
	console.error(error instanceof Error ? (error.stack ?? error.message) : error);
	process.exit(1);
});
