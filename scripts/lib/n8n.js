'use strict';
/**
 * One real n8n: its hermetic environment, `n8n start` with a readiness wait, a logged-in REST
 * client, the CLI (`import:*`, `execute`), and a stop that takes n8n's task runner with it.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { run, startProcess, redact, lastLines } = require('./processes');
const { pathWith } = require('./install');

// Fixed so that credentials stored in a persistent user folder (npm run dev) stay readable.
const ENCRYPTION_KEY = 'n8n-nodes-perplexity-chat-local-only-key';

const DEFAULT_OWNER = {
	email: 'owner@example.com',
	password: 'Perplexity-Chat-1',
	firstName: 'Local',
	lastName: 'Owner',
};

// Only what a process needs from the caller's environment; n8n and npm settings of the person or
// CI running this (N8N_*, DB_*, keys) must not leak into the instance under test.
const INHERITED = [
	'HOME',
	'LANG',
	'LC_ALL',
	'TMPDIR',
	'TERM',
	'SSL_CERT_FILE',
	'NODE_EXTRA_CA_CERTS',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** n8n's execution payloads are "flatted" JSON: every object and string is an index into one array. */
function parseFlatted(text) {
	const table = JSON.parse(text, (_, v) => (typeof v === 'string' ? new String(v) : v)).map((v) =>
		v instanceof String ? String(v) : v,
	);
	const revived = new Set();
	const revive = (object) => {
		if (revived.has(object)) return object;
		revived.add(object);
		for (const key of Object.keys(object)) {
			const value = object[key];
			if (!(value instanceof String)) continue;
			const target = table[Number(value)];
			object[key] = target;
			if (target !== null && typeof target === 'object') revive(target);
		}
		return object;
	};
	const root = table[0];
	return root !== null && typeof root === 'object' ? revive(root) : root;
}

/**
 * `n8n execute --rawOutput` prints the run as pretty JSON, but n8n's own log lines share stdout:
 * take the block from a line that is exactly "{" to the next line that is exactly "}".
 */
function parseRunOutput(stdout) {
	const lines = stdout.split('\n');
	for (let start = lines.length - 1; start >= 0; start--) {
		if (lines[start] !== '{') continue;
		const end = lines.indexOf('}', start);
		if (end < 0) continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n'));
		} catch {
			// Not the run (a log line that happens to be "{"): keep looking.
		}
	}
	return undefined;
}

/**
 * The items (json, pairedItem, error) a node produced on one output in its first run, from a CLI
 * run (`{ data: { resultData } }`) or an execution's data (`{ resultData }`); [] if it did not run.
 */
function nodeItems(runOrData, nodeName, output = 0) {
	const resultData = runOrData?.resultData ?? runOrData?.data?.resultData;
	return resultData?.runData?.[nodeName]?.[0]?.data?.main?.[output] ?? [];
}

class N8n {
	/**
	 * @param {object} o
	 * @param {{ bin: string, dir: string, node: { node: string, binDir: string } }} o.install from ensureN8n
	 * @param {string} [o.userFolder] N8N_USER_FOLDER; a new temp folder (removed on stop) if omitted
	 * @param {number} [o.port] 0 or omitted: a free port
	 * @param {string} [o.listenAddress] default 127.0.0.1 (tests); dev uses n8n's own default
	 * @param {Record<string,string>} [o.env] extra environment for every n8n process
	 * @param {boolean} [o.echo] copy n8n's output to this process's stdout
	 * @param {(line: string) => void} [o.log] progress messages
	 */
	constructor({
		install,
		userFolder,
		port = 0,
		listenAddress = '127.0.0.1',
		env = {},
		echo,
		log,
	} = {}) {
		if (!install) throw new Error('N8n needs the result of ensureN8n()');
		this.install = install;
		this.ownsUserFolder = !userFolder;
		this.userFolder = userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
		fs.mkdirSync(this.userFolder, { recursive: true });
		this.port = port;
		this.listenAddress = listenAddress;
		this.extraEnv = env;
		this.echo = Boolean(echo);
		this.log = log ?? (() => {});
		this.logFile = path.join(this.userFolder, 'n8n.log');
		this.browserId = crypto.randomUUID();
		this.cookie = undefined;
		this.process = undefined;
		this.workers = [];
		this.workersStarted = 0;
	}

	get url() {
		const host = this.listenAddress === '127.0.0.1' ? '127.0.0.1' : 'localhost';
		return `http://${host}:${this.port}`;
	}

	env(brokerPort) {
		const env = {};
		for (const key of INHERITED) if (process.env[key] !== undefined) env[key] = process.env[key];
		Object.assign(env, {
			PATH: pathWith(this.install.node.binDir),
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_PORT: String(this.port),
			// The task-runner broker listens on 5679 by default: every n8n process (server and each
			// CLI command) gets its own port, or a second one fails to start.
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			N8N_SECURE_COOKIE: 'false',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
			GENERIC_TIMEZONE: 'UTC',
			TZ: 'UTC',
			DB_TYPE: 'sqlite',
		});
		if (this.listenAddress) env.N8N_LISTEN_ADDRESS = this.listenAddress;
		// The mcp-registry module fetches MCP servers from api.n8n.io at every start and fails
		// offline, loudly; n8n versions without it refuse to start when it is named.
		const modules = path.join(path.dirname(path.dirname(this.install.bin)), 'dist', 'modules');
		if (fs.existsSync(path.join(modules, 'mcp-registry')))
			env.N8N_DISABLED_MODULES = 'mcp-registry';
		return { ...env, ...this.extraEnv };
	}

	/** Starts `n8n start` and resolves once the editor and REST API answer. */
	async start({ timeoutMs = 180000 } = {}) {
		if (this.process) throw new Error('n8n is already running');
		if (!this.port) this.port = await freePort();
		const started = Date.now();
		this.process = await this.launch(['start'], {
			logFile: this.logFile,
			echo: this.echo,
			// Printed once every module is up; /healthz/readiness turns 200 about 2 s earlier.
			readyLine: 'Editor is now accessible via',
			ready: async () =>
				(await this.answers('/healthz/readiness')) && (await this.answers('/rest/settings')),
			timeoutMs,
		});
		this.log(`n8n ready at ${this.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		return this;
	}

	/**
	 * Starts `n8n worker --concurrency=N` on the same user folder and environment (queue mode: the
	 * database, Redis and encryption key of the main process); resolves once it takes jobs. Its log
	 * is `worker-<n>.log` in the user folder; stop() stops it with the main process.
	 */
	async startWorker({ concurrency = 10, timeoutMs = 180000 } = {}) {
		const name = `worker-${++this.workersStarted}`;
		const logFile = path.join(this.userFolder, `${name}.log`);
		const started = Date.now();
		const worker = await this.launch(['worker', `--concurrency=${concurrency}`], {
			logFile,
			echo: this.echo,
			readyLine: 'n8n worker is now ready',
			timeoutMs,
		});
		this.workers.push(worker);
		this.log(`n8n ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		return { name, logFile, pid: worker.pid, output: worker.output, stop: worker.stop };
	}

	/**
	 * Starts an n8n command with this instance's environment and its own task-runner broker port;
	 * resolves with the process once `readyLine` was printed and `ready()`, if given, holds.
	 */
	async launch(args, { logFile, echo, readyLine, ready = async () => true, timeoutMs }) {
		const env = this.env(await freePort());
		let printed = false;
		let recent = '';
		const started = Date.now();
		const child = startProcess(this.install.node.node, [this.install.bin, ...args], {
			cwd: this.userFolder,
			env,
			logFile,
			onOutput: (chunk) => {
				if (echo) process.stdout.write(redact(chunk));
				// Kept across chunks: a pipe may split the line anywhere.
				recent = (recent + chunk).slice(-4096);
				if (recent.includes(readyLine)) printed = true;
			},
		});
		let exited;
		child.exited.then((e) => (exited = e));
		while (!(printed && (await ready()))) {
			if (exited) {
				throw new Error(
					`n8n ${args[0]} exited (${exited.code ?? exited.signal}) before it was ready; log ${logFile}:\n` +
						lastLines(redact(fs.readFileSync(logFile, 'utf8')), 40),
				);
			}
			if (Date.now() - started > timeoutMs) {
				await child.stop();
				throw new Error(`n8n ${args[0]} was not ready within ${timeoutMs} ms; see ${logFile}`);
			}
			await sleep(250);
		}
		return child;
	}

	async answers(urlPath) {
		try {
			const res = await fetch(this.url + urlPath, { signal: AbortSignal.timeout(5000) });
			await res.arrayBuffer();
			return res.status === 200;
		} catch {
			return false;
		}
	}

	/** Stops n8n, its workers and their task runners; removes the user folder if it was a temp one. */
	async stop() {
		await Promise.all([this.process, ...this.workers].filter(Boolean).map((p) => p.stop()));
		this.process = undefined;
		this.workers = [];
		if (this.ownsUserFolder && !process.env.N8N_KEEP_USER_FOLDER) {
			fs.rmSync(this.userFolder, { recursive: true, force: true });
		}
	}

	output() {
		return this.process ? this.process.output() : '';
	}

	// ---- REST ----

	/**
	 * A call to n8n's REST API with the session cookie and the browser-id it is bound to. Unwraps
	 * n8n's `{ data }` envelope; throws with status and body on anything but 2xx.
	 */
	async request(method, urlPath, { body } = {}) {
		const headers = { 'browser-id': this.browserId };
		if (this.cookie) headers.cookie = `n8n-auth=${this.cookie}`;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const res = await fetch(this.url + urlPath, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60000),
		});
		const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (setCookie) this.cookie = setCookie.slice('n8n-auth='.length).split(';')[0];
		const text = await res.text();
		if (!res.ok) {
			throw new Error(redact(`${method} ${urlPath} -> ${res.status}: ${text.slice(0, 500)}`));
		}
		const json = text ? JSON.parse(text) : undefined;
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	/**
	 * Creates the owner on a fresh instance, or logs in when the folder already has one (a reused
	 * dev folder). Leaves this client logged in; returns the owner's credentials.
	 */
	async ensureOwner(owner = DEFAULT_OWNER) {
		const settings = await this.request('GET', '/rest/settings');
		if (settings.userManagement?.showSetupOnFirstLoad) {
			await this.request('POST', '/rest/owner/setup', { body: owner });
		}
		await this.login(owner);
		return owner;
	}

	async login({ email, password }) {
		this.cookie = undefined;
		await this.request('POST', '/rest/login', { body: { emailOrLdapLoginId: email, password } });
		if (!this.cookie) throw new Error('n8n accepted the login but set no n8n-auth cookie');
	}

	createCredential({ name, type, data }) {
		return this.request('POST', '/rest/credentials', { body: { name, type, data } });
	}

	listCredentials() {
		return this.request('GET', '/rest/credentials');
	}

	updateCredential(id, { name, type, data }) {
		return this.request('PATCH', `/rest/credentials/${id}`, { body: { name, type, data } });
	}

	/**
	 * What the editor's credential "Test" sends. With the `id` of a saved credential, n8n tests its
	 * stored data (what the editor does after saving); without one, the given data as is.
	 * Resolves to { status: 'OK' | 'Error', message }.
	 */
	testCredential({ id = '', type, data, name = 'credential test' }) {
		return this.request('POST', '/rest/credentials/test', {
			body: { credentials: { id, name, type, data } },
		});
	}

	createWorkflow(workflow) {
		const { name, nodes, connections, settings = { executionOrder: 'v1' }, pinData } = workflow;
		return this.request('POST', '/rest/workflows', {
			body: { name, nodes, connections, settings, pinData, active: false },
		});
	}

	/** Saves changed fields of a workflow (e.g. its nodes), as the editor's save does. */
	updateWorkflow(id, changes) {
		return this.request('PATCH', `/rest/workflows/${id}`, { body: changes });
	}

	listWorkflows() {
		return this.request('GET', '/rest/workflows');
	}

	getWorkflow(id) {
		return this.request('GET', `/rest/workflows/${id}`);
	}

	/**
	 * Publishes the workflow's current version: triggers, schedules and webhooks go live. n8n 2.x
	 * has an activate endpoint; older versions set `active` with a PATCH of the workflow.
	 */
	async activateWorkflow(id) {
		const { versionId } = await this.getWorkflow(id);
		if (await this.hasActivateEndpoint()) {
			return this.request('POST', `/rest/workflows/${id}/activate`, { body: { versionId } });
		}
		return this.updateWorkflow(id, { active: true, versionId });
	}

	async deactivateWorkflow(id) {
		if (await this.hasActivateEndpoint()) {
			return this.request('POST', `/rest/workflows/${id}/deactivate`, { body: {} });
		}
		const { versionId } = await this.getWorkflow(id);
		return this.updateWorkflow(id, { active: false, versionId });
	}

	/** Whether this n8n has POST /rest/workflows/:id/activate (asked once, with an unknown id). */
	async hasActivateEndpoint() {
		if (this.activateEndpoint === undefined) {
			const res = await fetch(`${this.url}/rest/workflows/probe/activate`, {
				method: 'POST',
				headers: {
					'browser-id': this.browserId,
					cookie: `n8n-auth=${this.cookie}`,
					'content-type': 'application/json',
				},
				body: '{}',
				signal: AbortSignal.timeout(10000),
			});
			await res.arrayBuffer();
			// Express answers an unknown route with its own HTML 404; n8n's routes answer JSON.
			this.activateEndpoint = !(
				res.status === 404 && !String(res.headers.get('content-type')).includes('json')
			);
		}
		return this.activateEndpoint;
	}

	/**
	 * Calls a production webhook (`/webhook/<path>`) as an outside client would. Activation returns
	 * before n8n has registered the workflow's webhooks, so a "not registered" 404 is retried.
	 * Resolves to { status, headers, body } with the body parsed when it is JSON.
	 */
	async callWebhook(webhookPath, { method = 'POST', body, timeoutMs = 20000 } = {}) {
		const until = Date.now() + timeoutMs;
		for (;;) {
			const res = await fetch(`${this.url}/webhook/${webhookPath}`, {
				method,
				headers: body === undefined ? {} : { 'content-type': 'application/json' },
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(120000),
			});
			const text = await res.text();
			if (res.status === 404 && text.includes('not registered') && Date.now() < until) {
				await sleep(250);
				continue;
			}
			let parsed = text;
			try {
				parsed = JSON.parse(text);
			} catch {
				// Not JSON: the caller gets the text.
			}
			return { status: res.status, headers: res.headers, body: parsed };
		}
	}

	/** n8n's node catalogue as the editor loads it. */
	nodeTypes() {
		return this.request('GET', '/types/nodes.json');
	}

	async listExecutions(workflowId) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const data = await this.request('GET', `/rest/executions?filter=${filter}&limit=100`);
		return data.results ?? data;
	}

	/** An execution with its run data decoded: `execution.data.resultData.runData[node]`. */
	async getExecution(id) {
		const execution = await this.request('GET', `/rest/executions/${id}`);
		if (typeof execution.data === 'string') execution.data = parseFlatted(execution.data);
		return execution;
	}

	/** Waits until the workflow has `count` finished executions; returns them newest first. */
	async waitForExecutions(workflowId, { count = 1, timeoutMs = 60000 } = {}) {
		const until = Date.now() + timeoutMs;
		for (;;) {
			const finished = (await this.listExecutions(workflowId)).filter(
				(e) => e.finished || !['new', 'running', 'waiting'].includes(e.status),
			);
			if (finished.length >= count) return finished;
			if (Date.now() > until) {
				throw new Error(`workflow ${workflowId}: ${finished.length}/${count} executions finished`);
			}
			await sleep(500);
		}
	}

	// ---- CLI ----

	/** Runs `n8n <args>` against this user folder (works while `n8n start` runs: SQLite in WAL). */
	async cli(args, { allowFailure = false, timeoutMs = 120000 } = {}) {
		return run(this.install.node.node, [this.install.bin, ...args], {
			cwd: this.userFolder,
			env: this.env(await freePort()),
			allowFailure,
			timeoutMs,
		});
	}

	async importFile(kind, entries) {
		const file = path.join(this.userFolder, `import-${kind}-${crypto.randomUUID()}.json`);
		fs.writeFileSync(file, JSON.stringify(entries));
		try {
			await this.cli([`import:${kind}`, `--input=${file}`]);
		} finally {
			fs.rmSync(file, { force: true });
		}
	}

	/** `n8n import:credentials`; entries carry a fixed `id` and plain `data` (n8n encrypts it). */
	importCredentials(credentials) {
		return this.importFile('credentials', credentials);
	}

	/**
	 * `n8n import:workflow`; entries carry a fixed `id`, which `execute --id` then uses. `active`
	 * defaults to false: n8n 1.x refuses a workflow without it.
	 */
	importWorkflows(workflows) {
		return this.importFile(
			'workflow',
			workflows.map((workflow) => ({ active: false, ...workflow })),
		);
	}

	/**
	 * `n8n execute --id --rawOutput`. Resolves to { ok, exitCode, run, stdout, stderr }: `run` is
	 * the parsed run (for a failed run too, which n8n prints before exiting with 1).
	 */
	async executeWorkflow(id, { timeoutMs = 120000 } = {}) {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput'], {
			allowFailure: true,
			timeoutMs,
		});
		return {
			ok: result.code === 0,
			exitCode: result.code,
			run: parseRunOutput(result.stdout),
			stdout: redact(result.stdout),
			stderr: redact(result.stderr),
		};
	}
}

module.exports = { N8n, DEFAULT_OWNER, freePort, parseFlatted, parseRunOutput, nodeItems };
