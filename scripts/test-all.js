#!/usr/bin/env node
// The whole check, as CI runs it: build, typecheck, lint, format, then the unit, workflow,
// end-to-end, queue-mode and browser suites one after another. It ends with one line, "N passed,
// N failed", totalling the tests of every suite (a step that fails before its tests run counts as
// one failure), so that a run that executed nothing is visible.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, 'test-results');
const suites = (process.env.TEST_SUITES || 'unit,workflow,e2e,queue,browser')
	.split(',')
	.filter(Boolean);

function run(command, args, extraEnv = {}) {
	const started = Date.now();
	const result = spawnSync(command, args, {
		cwd: root,
		stdio: 'inherit',
		env: { ...process.env, ...extraEnv },
	});
	return { ok: result.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

const rows = [];
let passed = 0;
let failed = 0;

for (const [name, script] of [
	['build', 'build'],
	['typecheck', 'typecheck'],
	['lint', 'lint'],
	['format', 'format:check'],
]) {
	const { ok, seconds } = run('npm', ['run', '--silent', script]);
	rows.push(`${name.padEnd(9)} ${ok ? 'ok' : 'FAILED'} (${seconds} s)`);
	if (!ok) failed++;
}

fs.mkdirSync(resultsDir, { recursive: true });
for (const suite of suites) {
	const report = path.join(resultsDir, `jest-${suite}.json`);
	fs.rmSync(report, { force: true });
	const { seconds } = run('npx', [
		'jest',
		'--selectProjects',
		suite,
		'--json',
		`--outputFile=${report}`,
	]);
	let counts;
	try {
		const json = JSON.parse(fs.readFileSync(report, 'utf8'));
		counts = {
			passed: json.numPassedTests,
			failed: json.numFailedTests + json.numRuntimeErrorTestSuites,
			skipped: json.numPendingTests + json.numTodoTests,
		};
	} catch {
		counts = { passed: 0, failed: 1, skipped: 0 };
	}
	// A suite that ran no test at all is a failure too: something did not load.
	if (counts.passed + counts.failed === 0) counts.failed = 1;
	passed += counts.passed;
	failed += counts.failed + counts.skipped;
	rows.push(
		`${suite.padEnd(9)} ${counts.passed} passed, ${counts.failed} failed` +
			`${counts.skipped ? `, ${counts.skipped} skipped (counted as failed)` : ''} (${seconds} s)`,
	);
}

// For .ci/run, which adds the compatibility matrix's counts to these.
fs.writeFileSync(path.join(resultsDir, 'summary.json'), JSON.stringify({ passed, failed }));

console.log('\nSummary');
for (const row of rows) console.log(`  ${row}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
