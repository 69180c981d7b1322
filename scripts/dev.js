#!/usr/bin/env node
'use strict';
/**
 * `npm run dev`: real n8n on http://localhost:5678 with this package installed the way users
 * install community nodes, a Perplexity Chat credential and the example workflows. Without
 * PERPLEXITY_API_KEY the credential points at the local Perplexity sandbox, so it works offline.
 * The user folder persists under .cache/dev, so workflows and credentials survive restarts.
 *
 * Environment: PERPLEXITY_API_KEY (live service), PERPLEXITY_BASE_URL (a gateway), N8N_PORT
 * (default 5678), SANDBOX_PORT (default: any free port), N8N_VERSION (default 2.41.1).
 * `npm run dev -- --logs` also prints n8n's own output (always in .cache/dev/n8n.log).
 */
const net = require('node:net');
const path = require('node:path');
const lib = require('./lib');

const DEV_FOLDER = path.join(lib.CACHE_DIR, 'dev');
const PORT = Number(process.env.N8N_PORT || 5678);
const LIVE_CREDENTIAL = 'Perplexity Chat API';
const SANDBOX_CREDENTIAL = 'Perplexity Chat API (offline sandbox)';
const DEV_CREDENTIALS = [LIVE_CREDENTIAL, SANDBOX_CREDENTIAL];

const log = (message) => console.log(`[dev] ${lib.redact(message)}`);

function assertPortFree(port) {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', () =>
			reject(
				new Error(`port ${port} is taken (another n8n or npm run dev?); stop it or set N8N_PORT`),
			),
		);
		server.listen(port, () => server.close(resolve));
	});
}

/**
 * Imports each example once; an example already there (maybe edited by the user) is kept, except
 * that nodes still using the other dev credential (sandbox vs. live key) move to the current one.
 */
async function importExamples(n8n, credential) {
	const existing = new Map((await n8n.listWorkflows()).map((w) => [w.name, w.id]));
	const workflows = [];
	for (const file of lib.listExamples()) {
		const example = lib.loadExample(file, { credential });
		let id = existing.get(example.name);
		if (id) {
			const { nodes } = await n8n.getWorkflow(id);
			let rebound = false;
			for (const node of nodes) {
				const used = node.credentials?.[lib.CREDENTIAL_TYPE];
				if (used && DEV_CREDENTIALS.includes(used.name) && used.id !== credential.id) {
					node.credentials[lib.CREDENTIAL_TYPE] = { id: credential.id, name: credential.name };
					rebound = true;
				}
			}
			if (rebound) await n8n.updateWorkflow(id, { nodes });
		} else {
			id = (await n8n.createWorkflow(example)).id;
		}
		workflows.push({ name: example.name, url: `${n8n.url}/workflow/${id}` });
	}
	return workflows;
}

async function main() {
	const started = Date.now();
	const apiKey = process.env.PERPLEXITY_API_KEY || undefined;
	lib.addSecret(apiKey);
	await assertPortFree(PORT);

	const stack = await lib.startStack({
		userFolder: DEV_FOLDER,
		port: PORT,
		listenAddress: null,
		build: true,
		apiKey,
		baseUrl: process.env.PERPLEXITY_BASE_URL || undefined,
		sandboxPort: Number(process.env.SANDBOX_PORT || 0),
		sandboxQuiet: false,
		credentialName: apiKey ? LIVE_CREDENTIAL : SANDBOX_CREDENTIAL,
		echo: process.argv.includes('--logs'),
		log,
	});

	let stopping;
	const shutdown = (code) => {
		if (stopping) {
			log('stopping anyway');
			process.exit(code || 1);
		}
		log('stopping n8n and the sandbox…');
		stopping = stack.stop().then(
			() => process.exit(code),
			(error) => {
				console.error(lib.redact(String(error)));
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', () => shutdown(0));
	process.on('SIGTERM', () => shutdown(0));
	stack.n8n.process.exited.then(({ code, signal }) => {
		if (stopping) return;
		log(
			`n8n exited by itself (${code ?? signal}); last output:\n${stack.n8n.output().slice(-3000)}`,
		);
		shutdown(1);
	});

	const workflows = await importExamples(stack.n8n, stack.credential);
	const { owner, n8n, credential, sandbox } = stack;
	const lines = [
		'',
		`n8n ${stack.install.version} is running with ${lib.PACKAGE_NAME} installed (${((Date.now() - started) / 1000).toFixed(0)} s)`,
		'',
		`  Open      ${n8n.url}`,
		`  Email     ${owner.email}`,
		`  Password  ${owner.password}`,
		'',
		`  Credential  "${credential.name}" -> ${sandbox ? `${sandbox.url} (no Perplexity key needed; set PERPLEXITY_API_KEY for the live service)` : 'the live Perplexity API'}`,
		// The sandbox's key is a fixed local test value, not a secret: shown so that a second
		// credential, curl or another tool can talk to the same sandbox.
		...(sandbox ? [`  Sandbox     ${sandbox.url}  API key: ${lib.SANDBOX_API_KEY}`] : []),
		'  Workflows:',
		...workflows.map((w) => `    ${w.name}\n      ${w.url}`),
		'',
		`  n8n log     ${n8n.logFile}`,
		`  Data        ${DEV_FOLDER} (kept between runs; delete it to start over)`,
		'',
		'Press Ctrl-C to stop n8n and the sandbox.',
		'',
	];
	console.log(lines.join('\n'));
}

main().catch((error) => {
	console.error(`[dev] failed: ${lib.redact(error && error.stack ? error.stack : String(error))}`);
	process.exit(1);
});
