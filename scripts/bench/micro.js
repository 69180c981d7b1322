'use strict';
/**
 * The node's own per-item work outside the network, in this process: the pure steps between n8n
 * handing over an item's parameters and n8n receiving the item's output, from the built dist/
 * (the code users run). n8n's own share (getNodeParameter resolving `{{ $json.q }}`, the HTTP
 * helper, saving run data) is not in here; the in-n8n CPU figure has all of it.
 */
const path = require('node:path');
const { REPO_ROOT } = require('../lib');

const HELPERS = path.join(REPO_ROOT, 'dist', 'nodes', 'PerplexityChat', 'helpers');

/** Parameters of one item as the node reads them, for the benchmark's workflow (prompt mode). */
function rawParameters(i) {
	return {
		api: 'agent',
		model: 'sonar',
		inputMode: 'prompt',
		prompt: `Question ${i}?`,
		systemPrompt: '',
		options: {},
		searchOptions: {},
		requestOptions: { concurrency: 10 },
	};
}

/** A real answer to a real request, from the sandbox: the size and shape mapping works on. */
async function sampleAnswer(body) {
	const { startSandbox } = require(path.join(REPO_ROOT, 'test', 'sandbox', 'server'));
	const sandbox = await startSandbox({ port: 0, apiKey: 'k', logBodies: false, quiet: true });
	try {
		const res = await fetch(`${sandbox.url}/v1/agent`, {
			method: 'POST',
			headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await res.text();
		if (res.status !== 200) throw new Error(`sandbox answered ${res.status}: ${text}`);
		return text;
	} finally {
		await sandbox.stop();
	}
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * CPU time per call of `fn(i)`, in µs: warm up (so V8 has optimised the code, as it has after the
 * first items of a real run), then the median over `batches` batches of `perBatch` calls.
 * Results feed a checksum so that V8 cannot drop the work as dead code.
 */
function measure(fn, { perBatch, batches = 7 }) {
	let sink = 0;
	for (let i = 0; i < perBatch; i++) sink += fn(i) ? 1 : 0;
	const perCall = [];
	for (let b = 0; b < batches; b++) {
		const before = process.cpuUsage();
		for (let i = 0; i < perBatch; i++) sink += fn(i) ? 1 : 0;
		const used = process.cpuUsage(before);
		perCall.push((used.user + used.system) / perBatch);
	}
	if (sink < 0) console.log(sink);
	return median(perCall);
}

async function runMicro({ perBatch = 5000, log = () => {} } = {}) {
	const { resolveChatSettings, resolveOutputSettings } = require(path.join(HELPERS, 'settings'));
	const { buildRequest } = require(path.join(HELPERS, 'requests'));
	const { mapAgentResponse, finishCompletion, completionOutput } = require(
		path.join(HELPERS, 'responses'),
	);

	// Distinct inputs, made up front, so that object creation for the inputs is not measured.
	const raws = Array.from({ length: 1000 }, (_, i) => rawParameters(i));
	const settingsList = raws.map((raw) => resolveChatSettings(raw));
	const answerText = await sampleAnswer(buildRequest(settingsList[0]));
	const answer = JSON.parse(answerText);
	const output = resolveOutputSettings(false, {});
	log(`micro-benchmark: ${perBatch} calls per batch, answer of ${answerText.length} bytes`);

	const steps = [
		{
			name: 'resolveChatSettings + resolveOutputSettings',
			fn: (i) => {
				const raw = raws[i % raws.length];
				return resolveChatSettings(raw) && resolveOutputSettings(false, raw.options);
			},
		},
		{ name: 'buildRequest', fn: (i) => buildRequest(settingsList[i % settingsList.length]) },
		// The transport asks n8n for the body as text and parses it itself (to see every status).
		{ name: 'JSON.parse of the answer', fn: () => JSON.parse(answerText) },
		{
			name: 'mapAgentResponse + finishCompletion + completionOutput',
			fn: () => {
				const completion = mapAgentResponse(answer);
				finishCompletion(completion, output.expectJson);
				return completionOutput(completion, answer, output);
			},
		},
	];
	const results = steps.map(({ name, fn }) => ({ name, usPerItem: measure(fn, { perBatch }) }));
	const whole = measure(
		(i) => {
			const raw = raws[i % raws.length];
			const settings = resolveChatSettings(raw);
			const out = resolveOutputSettings(false, raw.options);
			buildRequest(settings);
			const body = JSON.parse(answerText);
			const completion = mapAgentResponse(body);
			finishCompletion(completion, out.expectJson);
			return completionOutput(completion, body, out);
		},
		{ perBatch },
	);
	return { answerBytes: answerText.length, steps: results, totalUsPerItem: whole };
}

module.exports = { runMicro };
