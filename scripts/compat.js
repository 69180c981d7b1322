#!/usr/bin/env node
/**
 * `npm run test:compat`: the end-to-end suite (the packed package in real n8n) on each n8n version
 * of the matrix, one after another, each with the Node that version needs. Every n8n is cached
 * under .cache/n8n-<version>, so a second run installs nothing. Prints one line per version and a
 * closing "N passed, N failed", writes test-results/compat.json, and rewrites the README's
 * compatibility table from the results, so that the table is never filled in by hand.
 *
 * COMPAT_VERSIONS=1.123.81,2.41.1 npm run test:compat   runs part of the matrix (the README is
 * only rewritten after a run of the whole matrix).
 * npm run test:compat -- --readme   rewrites the README's table from the last run's results.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, 'test-results');
const README = path.join(root, 'README.md');

/**
 * The oldest n8n this machine's registry installs (1.94.1; older lines pull packages that are no
 * longer published), the last 1.x, a mid 2.x that still runs on Node 20, and the newest.
 */
const MATRIX = ['1.94.1', '1.123.81', '2.8.4', lib.DEFAULT_N8N_VERSION];

/** What users get, by the e2e tests that prove it (matched on the test's full name). */
const FEATURES = [
	['Loads; offered to the AI Agent as a tool', /node catalogue/],
	['Credential test', /credential test/],
	['Chat completion (manual run, CLI)', /Manual Trigger|conversation/],
	['Continue On Fail, order and pairing', /Continue On Fail/],
	['Schedule and Webhook triggers, Respond to Webhook', /Schedule Trigger|Respond to Webhook/],
	['Streaming to the webhook caller', /stream/i],
	[
		'Perplexity Chat Model (AI Agent, Basic LLM Chain)',
		/Chat Model|AI Agent|LLM Chain|AI node SDK/,
	],
];

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

async function runVersion(version) {
	const started = Date.now();
	const result = { version, node: '', passed: 0, failed: 0, tests: [], capabilities: {} };
	try {
		const install = await lib.ensureN8n({ version, log: (m) => console.log(`  ${m}`) });
		result.node = install.node.version;
	} catch (error) {
		console.log(`  n8n ${version} could not be installed: ${error.message}`);
		result.failed = 1;
		result.seconds = Math.round((Date.now() - started) / 1000);
		return result;
	}
	const report = path.join(resultsDir, `jest-e2e-${version}.json`);
	const capabilities = path.join(resultsDir, `capabilities-${version}.json`);
	fs.rmSync(report, { force: true });
	fs.rmSync(capabilities, { force: true });
	spawnSync('npx', ['jest', '--selectProjects', 'e2e', '--json', `--outputFile=${report}`], {
		cwd: root,
		stdio: 'inherit',
		env: { ...process.env, N8N_VERSION: version, E2E_CAPABILITIES_FILE: capabilities },
	});
	const json = readJson(report);
	if (json) {
		result.passed = json.numPassedTests;
		result.failed = json.numFailedTests + json.numRuntimeErrorTestSuites + json.numPendingTests;
		result.tests = json.testResults.flatMap((file) =>
			file.assertionResults.map((t) => ({ name: t.fullName, status: t.status })),
		);
	}
	if (result.passed + result.failed === 0) result.failed = 1;
	result.capabilities = readJson(capabilities) ?? {};
	result.seconds = Math.round((Date.now() - started) / 1000);
	return result;
}

/** One cell: ✅ when every test of the feature passed, ❌ when one failed, — when n8n lacks it. */
function cell(result, pattern) {
	const tests = result.tests.filter((t) => pattern.test(t.name));
	if (tests.length === 0) return '❌ not run';
	if (tests.some((t) => t.status !== 'passed')) return '❌';
	const missing = Object.entries(result.capabilities).find(
		([, c]) => c.available === false && pattern.test(c.test),
	);
	return missing ? `— ${missing[1].note}` : '✅';
}

function compatibilitySection(results, date) {
	const passedAll = results.filter((r) => r.failed === 0);
	const floor = passedAll.map((r) => r.version).sort(lib.compareVersions)[0];
	const lines = [
		`Needs **n8n ${floor ?? '(none passed)'} or later**: the oldest version that the last`,
		`compatibility run (\`npm run test:compat\`, ${date}) passed. Written by that run:`,
		'',
		`| feature | ${results.map((r) => `n8n ${r.version}`).join(' | ')} |`,
		`| --- | ${results.map(() => '---').join(' | ')} |`,
		`| Node | ${results.map((r) => r.node.replace(/^v/, '') || '?').join(' | ')} |`,
		...FEATURES.map(
			([feature, pattern]) =>
				`| ${feature} | ${results.map((r) => cell(r, pattern)).join(' | ')} |`,
		),
		`| e2e tests passed | ${results.map((r) => `${r.passed}/${r.passed + r.failed}`).join(' | ')} |`,
	];
	return lines.join('\n');
}

function writeReadme(section) {
	const begin = '<!-- compat:begin -->';
	const end = '<!-- compat:end -->';
	const text = fs.readFileSync(README, 'utf8');
	const from = text.indexOf(begin);
	const to = text.indexOf(end);
	if (from < 0 || to < from) throw new Error(`README.md lacks the ${begin} … ${end} block`);
	const updated = `${text.slice(0, from + begin.length)}\n${section}\n${text.slice(to)}`;
	if (updated === text) return;
	fs.writeFileSync(README, updated);
	// The table is written plainly; the repository's formatter aligns it as it does every table.
	spawnSync('npx', ['prettier', '--write', README], { cwd: root, stdio: 'ignore' });
	console.log('README.md: compatibility table rewritten from the results');
}

async function main() {
	if (process.argv.includes('--readme')) {
		const last = readJson(path.join(resultsDir, 'compat.json'));
		if (!last) throw new Error('no test-results/compat.json: run npm run test:compat first');
		writeReadme(compatibilitySection(last.results, last.date));
		return;
	}
	const versions = process.env.COMPAT_VERSIONS
		? process.env.COMPAT_VERSIONS.split(',').map((v) => v.trim())
		: MATRIX;
	fs.mkdirSync(resultsDir, { recursive: true });
	const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
	if (built.status !== 0) {
		console.log('build failed\n0 passed, 1 failed');
		process.exit(1);
	}
	const results = [];
	for (const version of versions) {
		console.log(`\n=== n8n ${version} ===`);
		results.push(await runVersion(version));
	}
	const date = new Date().toISOString().slice(0, 10);
	fs.writeFileSync(
		path.join(resultsDir, 'compat.json'),
		JSON.stringify({ date, results }, null, 2),
	);
	if (!process.env.COMPAT_VERSIONS) writeReadme(compatibilitySection(results, date));

	console.log('\nCompatibility');
	for (const r of results) {
		const verdict = r.failed === 0 ? 'passed' : 'FAILED';
		console.log(
			`  n8n ${r.version.padEnd(9)} Node ${(r.node || '?').padEnd(9)} ${verdict.padEnd(6)} ` +
				`${r.passed}/${r.passed + r.failed} (${r.seconds} s)`,
		);
	}
	const passed = results.reduce((n, r) => n + r.passed, 0);
	const failed = results.reduce((n, r) => n + r.failed, 0);
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
	console.error(error);
	console.log('0 passed, 1 failed');
	process.exit(1);
});
