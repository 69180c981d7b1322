'use strict';
/**
 * One `n8n start` process set up for benchmarking: the TLS proxy in its environment, the bench
 * credentials, the pid of n8n's main process (where manual executions run, and so where our node
 * and the built-in one spend their CPU and memory), and a run that starts a workflow the way the
 * editor's "Execute workflow" does and waits for it to finish.
 */
const { N8n, CREDENTIAL_TYPE, SANDBOX_API_KEY } = require('../lib');
const { cpuMs, memory, resetPeak, children, alive } = require('./proc');
const { BUILTIN_CREDENTIAL_TYPE } = require('./workflows');
const { PROXIED_HOST } = require('./tls-proxy');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const TICK_MS = 100;

/**
 * A GET to n8n that survives n8n being briefly unable to answer. While a node keeps n8n's event
 * loop busy for seconds (the built-in node prepares every item before sending any), n8n's HTTP
 * server may close an idle keep-alive connection just as fetch reuses it (ECONNRESET), and n8n's
 * database health check may miss its ping and answer 503 "Database is not ready!" until the next
 * one succeeds: n8n itself is fine in both cases.
 */
async function patiently(fn, { tries = 10 } = {}) {
	for (let attempt = 1; ; attempt++) {
		try {
			return await fn();
		} catch (error) {
			const code = error?.cause?.code;
			const reset = error?.message === 'fetch failed' || code === 'ECONNRESET';
			const dbNotReady = /-> 503: .*Database is not ready/.test(error?.message ?? '');
			if ((!reset && !dbNotReady) || attempt >= tries) throw error;
			await sleep(500 * attempt);
		}
	}
}
const TERMINAL = (status) => !['new', 'running', 'waiting', 'unknown'].includes(status);

class BenchInstance {
	/**
	 * @param {object} o
	 * @param {object} o.install from ensureN8n
	 * @param {string} o.userFolder reused across instances: the package, owner, credentials and
	 *   workflows are set up once, and every later process still starts fresh
	 * @param {{ url: string }} o.sandbox
	 * @param {{ port: number, caFile: string }} o.proxy
	 * @param {(message: string) => void} o.log
	 * @param {Record<string, string>} [o.env] more environment, e.g. NODE_OPTIONS for a profile
	 */
	constructor({ install, userFolder, sandbox, proxy, log, env = {} }) {
		this.sandbox = sandbox;
		this.log = log;
		this.n8n = new N8n({
			install,
			userFolder,
			log,
			env: {
				// Only api.perplexity.ai goes through the proxy: n8n reaches its own REST API, the
				// task runner broker and (for our node's direct variant) the sandbox without it.
				HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
				NO_PROXY: '127.0.0.1,localhost',
				NODE_EXTRA_CA_CERTS: proxy.caFile,
				...env,
			},
		});
		this.mainPid = undefined;
		this.idleCpuPerSecond = 0;
	}

	async start() {
		await this.n8n.start();
		await this.n8n.ensureOwner();
		this.mainPid = this.findMainPid();
		return this;
	}

	/** The guard started by processes.js runs node with n8n's bin as its one child. */
	findMainPid() {
		const guard = this.n8n.process?.pid;
		const main = guard && children(guard).find((c) => c.cmdline.includes(' start'));
		if (!main) throw new Error(`cannot find n8n's main process under pid ${guard}`);
		return main.pid;
	}

	/**
	 * Credentials for the three ways of reaching the sandbox: ours directly (http://127.0.0.1),
	 * ours through the TLS proxy (base URL https://api.perplexity.ai, exactly what users have), and
	 * the built-in node's (which always goes to api.perplexity.ai, so always through the proxy).
	 * Created once per user folder; returns their ids.
	 */
	async ensureCredentials() {
		const wanted = [
			{
				key: 'direct',
				name: 'bench ours direct',
				type: CREDENTIAL_TYPE,
				baseUrl: this.sandbox.url,
			},
			{
				key: 'tls',
				name: 'bench ours tls',
				type: CREDENTIAL_TYPE,
				baseUrl: `https://${PROXIED_HOST}`,
			},
			// The same address spelled with its port: the node keeps a rate state per Base URL, so
			// runs with this credential leave the other's rate state alone.
			{
				key: 'tlsOwnState',
				name: 'bench ours tls, own rate state',
				type: CREDENTIAL_TYPE,
				baseUrl: `https://${PROXIED_HOST}:443`,
			},
			{ key: 'builtin', name: 'bench built-in', type: BUILTIN_CREDENTIAL_TYPE },
		];
		const existing = await this.n8n.listCredentials();
		const ids = {};
		for (const { key, name, type, baseUrl } of wanted) {
			const data = baseUrl ? { apiKey: SANDBOX_API_KEY, baseUrl } : { apiKey: SANDBOX_API_KEY };
			const found = existing.find((c) => c.name === name && c.type === type);
			if (found) {
				await this.n8n.updateCredential(found.id, { name, type, data });
				ids[key] = found.id;
			} else {
				ids[key] = (await this.n8n.createCredential({ name, type, data })).id;
			}
		}
		return ids;
	}

	async createWorkflow(workflow) {
		return (await this.n8n.createWorkflow(workflow)).id;
	}

	/**
	 * Waits until n8n is idle: `quietSeconds` seconds in a row with under `quietMs` of CPU each, or
	 * `maxMs`. After start-up and after a run, V8's memory reducer runs a full garbage collection
	 * of n8n's whole heap (about 0.5 s of CPU here) some 7 and 16 s after activity stops: 12 quiet
	 * seconds get past both. Then the idle rate that run() subtracts (the median of 1-second
	 * samples, so that a stray burst does not inflate it).
	 */
	async settle({ quietSeconds = 3, quietMs = 30, maxMs = 60000 } = {}) {
		const until = Date.now() + maxMs;
		let quiet = 0;
		while (quiet < quietSeconds && Date.now() < until) {
			const before = cpuMs(this.mainPid);
			await sleep(1000);
			quiet = cpuMs(this.mainPid) - before < quietMs ? quiet + 1 : 0;
		}
		const samples = [];
		for (let i = 0; i < 5; i++) {
			const before = cpuMs(this.mainPid);
			await sleep(1000);
			samples.push(cpuMs(this.mainPid) - before);
		}
		this.idleCpuPerSecond = samples.sort((a, b) => a - b)[2];
	}

	/** CPU of n8n's main process and its children (the task runner the Code node runs in). */
	groupCpu() {
		const pids = [this.mainPid, ...children(this.mainPid).map((c) => c.pid)];
		const now = new Map();
		for (const pid of pids) {
			try {
				now.set(pid, cpuMs(pid));
			} catch {
				// A runner that ended between listing and reading.
			}
		}
		return now;
	}

	/**
	 * Runs a workflow from its Manual Trigger (POST /rest/workflows/:id/run, what the editor sends)
	 * and waits for it. The execution runs inside n8n's main process; its cost is the CPU that
	 * process used from just before the request until n8n has been quiet for `quietMs` (so the
	 * saving and the garbage collection right after the run count), less the idle rate. The
	 * memory reducer's collections seconds later are left out: they cost the same whatever ran.
	 *
	 * The end is found by watching CPU, not by asking n8n: every call to its execution list costs
	 * n8n tens of milliseconds of CPU, which would be billed to the run and, on a CPU-bound run,
	 * slow it down. Only once n8n and its task runner are quiet does one call confirm that the
	 * execution has finished (if not, the wait goes on). `memory` is read at that moment: VmHWM is
	 * the peak since start, or since resetPeak().
	 */
	async run(workflowId, { quietMs = 1000, timeoutMs = 600000 } = {}) {
		const pid = this.mainPid;
		const cpuBefore = cpuMs(pid);
		const windowStart = Date.now();
		const { executionId } = await this.n8n.request('POST', `/rest/workflows/${workflowId}/run`, {
			body: { triggerToStartFrom: { name: 'Manual Trigger' } },
		});
		if (!executionId) throw new Error(`n8n did not start workflow ${workflowId}`);
		const until = Date.now() + timeoutMs;
		let last = this.groupCpu();
		let quietSince = Date.now();
		let summary;
		let cpuAfter;
		let windowMs;
		let mem;
		for (;;) {
			await sleep(TICK_MS);
			if (!alive(pid)) throw new Error(`n8n's main process ${pid} died during the run`);
			const now = this.groupCpu();
			let used = 0;
			for (const [p, ms] of now) used += ms - (last.get(p) ?? ms);
			last = now;
			// Under 5 % of a core counts as quiet; the clock-tick resolution is 10 ms.
			if (used > TICK_MS * 0.05) quietSince = Date.now();
			if (Date.now() - quietSince < quietMs) {
				if (Date.now() > until) throw new Error(`execution ${executionId} still running`);
				continue;
			}
			cpuAfter = cpuMs(pid);
			windowMs = Date.now() - windowStart;
			mem = memory(pid);
			const list = await patiently(() => this.n8n.listExecutions(workflowId));
			summary = list.find((e) => e.id === executionId);
			if (summary && TERMINAL(summary.status)) break;
			// Quiet but not done (waiting on the network): keep watching.
			quietSince = Date.now();
		}
		const cpu = cpuAfter - cpuBefore - (this.idleCpuPerSecond * windowMs) / 1000;
		return {
			executionId,
			status: summary.status,
			wallMs: Date.parse(summary.stoppedAt) - Date.parse(summary.startedAt),
			jsonSizeBytes: summary.jsonSizeBytes,
			cpuMs: cpu,
			memory: mem,
		};
	}

	/**
	 * Starts workflows together, as editors pressing "Execute workflow" at the same moment, and
	 * waits until every one has finished. For runs measured by their run data rather than by n8n's
	 * CPU: it asks n8n about the executions once every `pollMs`.
	 */
	async runTogether(workflowIds, { pollMs = 1000, timeoutMs = 900000 } = {}) {
		const started = await Promise.all(
			workflowIds.map((id) =>
				this.n8n.request('POST', `/rest/workflows/${id}/run`, {
					body: { triggerToStartFrom: { name: 'Manual Trigger' } },
				}),
			),
		);
		const executionIds = started.map(({ executionId }, i) => {
			if (!executionId) throw new Error(`n8n did not start workflow ${workflowIds[i]}`);
			return executionId;
		});
		const until = Date.now() + timeoutMs;
		const statuses = new Array(workflowIds.length);
		while (statuses.includes(undefined)) {
			if (Date.now() > until) throw new Error(`executions ${executionIds} still running`);
			await sleep(pollMs);
			for (const [i, workflowId] of workflowIds.entries()) {
				if (statuses[i] !== undefined) continue;
				const list = await patiently(() => this.n8n.listExecutions(workflowId));
				const summary = list.find((e) => e.id === executionIds[i]);
				if (summary && TERMINAL(summary.status)) statuses[i] = summary.status;
			}
		}
		return executionIds.map((executionId, i) => ({ executionId, status: statuses[i] }));
	}

	/** The execution with its run data (large for large runs: fetch it after measuring). */
	execution(id) {
		return patiently(() => this.n8n.getExecution(id));
	}

	memory() {
		return memory(this.mainPid);
	}

	resetPeak() {
		resetPeak(this.mainPid);
	}

	async stop() {
		await this.n8n.stop();
	}
}

module.exports = { BenchInstance };
