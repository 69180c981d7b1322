'use strict';
/**
 * Statistics and presentation: medians, tables (the same Markdown tables on the terminal and in
 * BENCHMARK.md), and the generated figures block of BENCHMARK.md.
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

function median(values) {
	const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Least-squares line through (x, y) points, with R². */
function linearFit(points) {
	const n = points.length;
	const mx = points.reduce((s, [x]) => s + x, 0) / n;
	const my = points.reduce((s, [, y]) => s + y, 0) / n;
	let sxy = 0;
	let sxx = 0;
	let syy = 0;
	for (const [x, y] of points) {
		sxy += (x - mx) * (y - my);
		sxx += (x - mx) ** 2;
		syy += (y - my) ** 2;
	}
	const slope = sxx ? sxy / sxx : NaN;
	return { slope, intercept: my - slope * mx, r2: sxx && syy ? (sxy * sxy) / (sxx * syy) : NaN };
}

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const seconds = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '–');
const mib = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1048576).toFixed(1)} MiB` : '–');
const ratio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

/**
 * A Markdown table laid out the way prettier lays it out (so BENCHMARK.md passes format:check):
 * cells padded to the column's width, `---:` for right-aligned columns.
 * @param {string[]} headers
 * @param {string[][]} rows
 * @param {string} [align] one letter per column, 'l' or 'r'
 */
function table(headers, rows, align = '') {
	const widths = headers.map((h, c) =>
		Math.max(3, [...String(h)].length, ...rows.map((r) => [...String(r[c])].length)),
	);
	const pad = (text, c) => {
		const s = String(text);
		const fill = ' '.repeat(widths[c] - [...s].length);
		return align[c] === 'r' ? fill + s : s + fill;
	};
	const line = (cells) => `| ${cells.map(pad).join(' | ')} |`;
	const rule = `| ${widths.map((w, c) => (align[c] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
	return [line(headers), rule, ...rows.map(line)].join('\n');
}

function throughputTable(summary) {
	const rows = summary.throughput.rows.map((r) => [
		r.id,
		r.label,
		`${r.concurrencyLabel}`,
		seconds(r.nodeMs),
		seconds(r.wallMs),
		fixed(r.itemsPerSecond, 1),
		ratio(r.speedupVsBuiltin),
		seconds(r.limitMs),
		ratio(r.vsLimit),
		String(r.peakInFlight),
	]);
	return table(
		[
			'',
			'node under test',
			'concurrency',
			'node time',
			'execution',
			'items/s',
			'vs built-in',
			'physical limit',
			'vs limit',
			'peak in flight',
		],
		rows,
		'llrrrrrrrr',
	);
}

function cpuTable(summary) {
	const rows = summary.cpu.rows.map((r) => [
		r.label,
		`${fixed(r.cpuMs / 1000, 2)} s`,
		r.perItemMs === undefined ? '(baseline)' : `${fixed(r.perItemMs, 3)} ms`,
		seconds(r.nodeMs),
	]);
	return table(
		['workflow (zero latency)', 'n8n CPU per run', 'CPU per item', 'node time'],
		rows,
		'lrrr',
	);
}

function microTable(summary) {
	const rows = summary.micro.steps.map((s) => [s.name, `${fixed(s.usPerItem, 1)} µs`]);
	rows.push(['all of the above, per item', `${fixed(summary.micro.totalUsPerItem, 1)} µs`]);
	return table(['step (in-process, dist/ helpers)', 'CPU per item'], rows, 'lr');
}

function memoryTable(summary) {
	const rows = summary.memory.rows.map((r) => [
		String(r.items),
		mib(r.baselineHwm),
		mib(r.oursHwm),
		`${mib(r.oursHwmRange.min)} – ${mib(r.oursHwmRange.max)}`,
		mib(r.increase),
		`${fixed(r.bytesPerItem / 1024, 1)} KiB`,
		`${fixed(r.jsonBytesPerItem / 1024, 1)} KiB`,
	]);
	return table(
		[
			'items',
			'peak RSS, Code node only',
			'peak RSS, with our node',
			'(range)',
			'increase',
			'increase per item',
			'run data per item',
		],
		rows,
		'rrrrrrr',
	);
}

function targetLines(list) {
	return list.map((t) => `- ${t.met ? 'met' : 'MISSED'}: ${t.name} (${t.detail})`);
}

function rateLimitTable(rateLimit) {
	const rows = rateLimit.rows.map((r) => {
		const failed = r.statuses.filter((s) => s !== 'success').length;
		return [
			r.limit,
			r.node === 'ours' ? `${r.label}, Concurrency ${r.concurrency}` : r.label,
			r.executions === 2 ? `2 × ${r.items / 2}` : String(r.items),
			String(r.lost),
			String(r.requests),
			`${r.rateLimited} (${fixed(r.rateLimitedShare * 100, 1)} %)`,
			seconds(r.timeMs),
			seconds(r.allowedMs),
			r.unlimitedMs === undefined ? '–' : seconds(r.unlimitedMs),
			failed ? `failed (${failed} of ${r.executions})` : ratio(r.ratio),
		];
	});
	return table(
		[
			'limit',
			'node under test',
			'items',
			'lost',
			'requests',
			'answered 429',
			'time',
			'limit allows',
			'without a limit',
			'ratio',
		],
		rows,
		'llrrrrrrrr',
	);
}

/** The machine and the code a run measured, as one line. */
function runLine(m, mode) {
	return (
		`Run of ${m.date} (${mode}): n8n ${m.n8nVersion} on Node ${m.n8nNode}, ${m.machine.cpus} × ` +
		`${m.machine.cpuModel}, ${fixed(m.machine.memGiB, 0)} GiB; load average ` +
		`${m.loadBefore.map((l) => l.toFixed(1)).join(' / ')} at the start. ` +
		(m.options.tarball
			? `Package from ${m.options.tarball}.`
			: `Package ${m.packageVersion}, commit ${m.commit}.`)
	);
}

/** The rate-limit figures (issue 8), as Markdown: their own block in BENCHMARK.md. */
function renderRateLimit(summary) {
	const r = summary.ratelimit;
	const limits = r.limits
		.map((l) => `${l.perMinute} per minute as ${l.limit} per ${fixed(l.windowMs / 1000, 0)} s`)
		.join(', ');
	return [
		runLine(summary.meta, `rate limits, ${fixed(r.durationS / 60, 1)} min`),
		`**Rate limits**: ${r.items} items per execution, the sandbox's limiter at ${limits} ` +
			`(time ${r.timeScale}× faster, see below), sandbox latency ${r.latencyMs} ms, both nodes ` +
			`over HTTPS, one run per line after a warm-up of ${r.warmUpItems} items per limit; ` +
			`time = the node's start to its end in the run data (of both executions when two run ` +
			`at once); without a limit = the same run just before, with the limiter off.`,
		rateLimitTable(r),
		'**Targets (issue 8)**, for Perplexity Chat',
		targetLines(r.targets).join('\n'),
		`Against the larger of the time the limit allows and its own time in the same run without ` +
			`a limit, the slowest run of Perplexity Chat took ${ratio(r.slowestVsOwnPace.vsOwnPace)} ` +
			`(${r.slowestVsOwnPace.limit}, Concurrency ${r.slowestVsOwnPace.concurrency}, ` +
			`${r.slowestVsOwnPace.executions === 2 ? 'two executions' : 'one execution'}).`,
	].join('\n\n');
}

/** Everything a reader needs from one run, as Markdown (for the terminal and BENCHMARK.md). */
function renderFigures(summary) {
	const m = summary.meta;
	const parts = [runLine(m, `${m.mode}, ${fixed(m.durationS / 60, 1)} min`)];
	if (summary.throughput) {
		const t = summary.throughput;
		parts.push(
			`**Throughput**: ${t.items} items, sandbox latency ${t.latencyMs} ms, median of ${t.reps} ` +
				`runs (node time = the node's \`executionTime\` in the run data; execution = ` +
				`\`startedAt\` → \`stoppedAt\`).`,
			throughputTable(summary),
		);
		if (t.bareClient) {
			const b = t.bareClient;
			parts.push(
				`Without n8n: a bare Node.js client in its own process, ${b.concurrency} requests at a ` +
					`time over a new HTTP connection each, against the same sandbox: ` +
					`${fixed(b.ms / 1000, 2)} s, ${fixed(b.vsLimit, 2)}× its physical limit of ` +
					`${fixed(b.limitMs / 1000, 2)} s. That is the floor that the sandbox and this ` +
					`machine set for (c).`,
			);
		}
	}
	if (summary.cpu) {
		parts.push(
			`**CPU** of n8n's main process per run, ${summary.cpu.items} items, median of ` +
				`${summary.cpu.reps} runs; per item = (run − Code-node-only run) / items.`,
			cpuTable(summary),
		);
	}
	if (summary.micro) {
		parts.push(
			`**In-process micro-benchmark** (answer of ${summary.micro.answerBytes} bytes):`,
			microTable(summary),
		);
	}
	if (summary.memory) {
		const { fit, reference: ref } = summary.memory;
		parts.push(
			`**Peak memory** (VmHWM of n8n's main process, median of ${summary.memory.reps} fresh ` +
				`processes per figure, our node at concurrency ${summary.memory.concurrency}, zero ` +
				`latency; idle n8n: ${mib(summary.memory.rows[0].idleRss)}):`,
			memoryTable(summary),
			`Least-squares line through the increases: ${fixed(fit.slope / 1024, 1)} KiB per item, ` +
				`R² ${fixed(fit.r2, 3)}; marginal cost ${summary.memory.marginal
					.map((s) => `${s.from}→${s.to}: ${fixed(s.bytesPerItem / 1024, 1)} KiB/item`)
					.join(', ')}. Reference: ${ref.items} items through n8n's own HTTP Request node ` +
				`instead of ours: peak ${mib(ref.hwm)}, increase ${mib(ref.increase)}, ` +
				`${fixed(ref.bytesPerItem / 1024, 1)} KiB per item.`,
		);
	}
	if (summary.targets.length) {
		parts.push('**Targets (issue 4)**', targetLines(summary.targets).join('\n'));
	}
	return parts.join('\n\n');
}

/**
 * Replaces a generated block of BENCHMARK.md (`figures`, `ratelimit`) with these figures (the
 * prose around it stays), then lets prettier have the last word on layout when it is installed.
 */
function updateBenchmarkMd(file, figures, block = 'figures') {
	if (!fs.existsSync(file)) return false;
	const START = `<!-- bench:${block}:start (written by npm run bench; do not edit by hand) -->`;
	const END = `<!-- bench:${block}:end -->`;
	const text = fs.readFileSync(file, 'utf8');
	const from = text.indexOf(START);
	const to = text.indexOf(END);
	if (from < 0 || to < from) return false;
	fs.writeFileSync(
		file,
		`${text.slice(0, from + START.length)}\n\n${figures}\n\n${text.slice(to)}`,
	);
	const prettier = path.join(path.dirname(file), 'node_modules', '.bin', 'prettier');
	if (fs.existsSync(prettier)) {
		try {
			execFileSync(prettier, ['--write', file], { stdio: 'ignore' });
		} catch {
			// The table layout above already matches prettier's; this is only a safety net.
		}
	}
	return true;
}

module.exports = { median, linearFit, table, renderFigures, renderRateLimit, updateBenchmarkMd };
