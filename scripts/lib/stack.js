'use strict';
/**
 * The whole set-up shared by `npm run dev` and the e2e and browser tests: n8n installed, this
 * package packed and installed as a community node, the Perplexity sandbox (unless a live key is
 * given), `n8n start`, the owner logged in and a Perplexity Chat credential pointing at the sandbox
 * or at the live service. In queue mode also PostgreSQL and Redis (services.js) and `n8n worker`
 * processes on the same user folder.
 */
const fs = require('node:fs');
const path = require('node:path');
const { ensureN8n, packPackage, installPackage, REPO_ROOT } = require('./install');
const { N8n } = require('./n8n');
const { addSecret } = require('./processes');
const { CREDENTIAL_TYPE } = require('./examples');
const { startQueueServices } = require('./services');

const SANDBOX_API_KEY = 'sandbox-key';
const LIVE_BASE_URL = 'https://api.perplexity.ai';

function startSandbox(options) {
	// Required lazily: the live mode of `npm run dev` does not need it.
	return require(path.join(REPO_ROOT, 'test', 'sandbox', 'server')).startSandbox(options);
}

/** Creates the credential, or updates the one of that name (a reused dev folder keeps its id). */
async function upsertCredential(n8n, credential) {
	const existing = (await n8n.listCredentials()).find(
		(c) => c.name === credential.name && c.type === credential.type,
	);
	if (!existing) return n8n.createCredential(credential);
	await n8n.updateCredential(existing.id, credential);
	return existing;
}

/**
 * @param {object} [o]
 * @param {string} [o.userFolder] persistent N8N_USER_FOLDER (dev); a temp one if omitted
 * @param {number} [o.port] n8n's port; 0 or omitted: a free one
 * @param {string|null} [o.listenAddress] default 127.0.0.1; null: n8n's own default (all interfaces)
 * @param {boolean|'if-missing'} [o.build] how to pack: see packPackage
 * @param {string} [o.apiKey] a live Perplexity key: no sandbox, the credential targets `baseUrl`
 * @param {string} [o.baseUrl] live base URL, default https://api.perplexity.ai
 * @param {number} [o.sandboxPort] default 0 (any free port)
 * @param {boolean} [o.sandboxQuiet] default true
 * @param {string} [o.credentialName]
 * @param {boolean} [o.echo] print n8n's output
 * @param {{ workers: number, concurrency: number }} [o.queue] queue mode with this many workers,
 *   each `n8n worker --concurrency=<concurrency>`
 * @param {Record<string, string>} [o.env] more environment for every n8n process
 * @param {(message: string) => void} [o.log]
 */
async function startStack(o = {}) {
	const log = o.log ?? console.log;
	const install = await ensureN8n({ log });
	const tarball = await packPackage({ build: o.build ?? true, log });
	const services = o.queue ? await startQueueServices({ install, log }) : undefined;
	const n8n = new N8n({
		install,
		userFolder: o.userFolder,
		port: o.port ?? 0,
		listenAddress: o.listenAddress === undefined ? '127.0.0.1' : o.listenAddress,
		env: { ...services?.env, ...o.env },
		echo: o.echo,
		log,
	});
	const stack = {
		install,
		n8n,
		services,
		workers: [],
		sandbox: undefined,
		credential: undefined,
		owner: undefined,
	};
	stack.stop = async () => {
		await n8n.stop();
		if (stack.sandbox) await stack.sandbox.stop();
		// Last: the database is dropped once nothing uses it.
		if (services) await services.stop();
	};
	try {
		await installPackage({ userFolder: n8n.userFolder, tarball, node: install.node });
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
		let data;
		if (o.apiKey) {
			addSecret(o.apiKey);
			data = { apiKey: o.apiKey, baseUrl: o.baseUrl ?? LIVE_BASE_URL };
		} else {
			stack.sandbox = await startSandbox({
				port: o.sandboxPort ?? 0,
				apiKey: SANDBOX_API_KEY,
				quiet: o.sandboxQuiet ?? true,
			});
			data = { apiKey: SANDBOX_API_KEY, baseUrl: stack.sandbox.url };
		}
		await n8n.start();
		// After the main process: it creates the database's tables, which workers expect.
		const workers = await Promise.allSettled(
			Array.from({ length: o.queue?.workers ?? 0 }, () =>
				n8n.startWorker({ concurrency: o.queue.concurrency }),
			),
		);
		for (const worker of workers) {
			if (worker.status === 'rejected') throw worker.reason;
			stack.workers.push(worker.value);
		}
		stack.owner = await n8n.ensureOwner();
		const name =
			o.credentialName ??
			(o.apiKey ? 'Perplexity Chat API' : 'Perplexity Chat API (offline sandbox)');
		stack.credential = await upsertCredential(n8n, { name, type: CREDENTIAL_TYPE, data });
		return stack;
	} catch (error) {
		await stack.stop();
		throw error;
	}
}

module.exports = { startStack, upsertCredential, SANDBOX_API_KEY, LIVE_BASE_URL };
