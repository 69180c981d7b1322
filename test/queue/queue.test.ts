/**
 * Queue mode end to end: n8n's main process and two `n8n worker` processes on PostgreSQL and
 * Redis, the packed package installed in their shared user folder as users install it. The
 * servers are the machine's when they answer on their standard ports, else the test's own from
 * Debian's packages (QUEUE_SERVICES=own forces that): see scripts/lib/services.js. Each run has its
 * own database, Redis key prefix and ports.
 *
 * A production webhook workflow (Webhook → Split Out → Perplexity Chat, answering with every item)
 * is called by 10 callers at once with 20 questions each. Where an execution ran is read from
 * n8n's own logs: the main process logs each execution it enqueued and the worker that finished
 * it, each worker the executions it started and finished.
 */

import * as fs from 'node:fs';

import * as lib from '../../scripts/lib';
import type { ExecutionSummary, SandboxRequest, Stack } from '../../scripts/lib';

jest.setTimeout(300_000);

const WORKERS = 2;
const WORKER_CONCURRENCY = 5;
const CALLERS = 10;
const ITEMS = 20;

const log = (message: string) => process.stderr.write(`[queue] ${message}\n`);

let stack: Stack;

beforeAll(async () => {
	const started = Date.now();
	stack = await lib.startStack({
		build: 'if-missing', // `npm run test:queue` has just built dist/
		queue: { workers: WORKERS, concurrency: WORKER_CONCURRENCY },
		// One JSON object per log line, with the execution, workflow and worker ids as fields.
		env: { N8N_LOG_FORMAT: 'json' },
		log,
	});
	log(`main and ${WORKERS} workers ready in ${seconds(Date.now() - started)} s`);
}, 30 * 60_000); // a first run on a fresh clone installs Node 24, n8n and maybe PostgreSQL and Redis

afterAll(async () => {
	await stack?.stop();
});

const seconds = (ms: number) => (ms / 1000).toFixed(1);

const sandbox = () => {
	if (!stack.sandbox) throw new Error('the queue suite runs against the sandbox');
	return stack.sandbox;
};

const question = (tag: string, caller: number, item: number) =>
	`${tag}: caller ${caller}, question ${item}?`;

/**
 * A production webhook answering with every item of Perplexity Chat, in order; active. Perplexity
 * Chat keeps its defaults (Concurrency 5, Max Wait for Rate Limit 10 min) but `requestOptions`.
 */
async function webhookWorkflow(
	tag: string,
	requestOptions: Record<string, number> = {},
): Promise<{ id: string; path: string }> {
	const path = `queue-${tag}`;
	const workflow = await stack.n8n.createWorkflow({
		name: `queue: ${tag}`,
		nodes: [
			{
				id: 'queue-webhook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `queue-webhook-${tag}`,
				parameters: {
					httpMethod: 'POST',
					path,
					responseMode: 'lastNode',
					responseData: 'allEntries',
					options: {},
				},
			},
			{
				id: 'queue-split',
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.questions', options: {} },
			},
			{
				id: 'queue-perplexity',
				name: 'Perplexity Chat',
				type: lib.NODE_TYPE,
				typeVersion: 2,
				position: [440, 0],
				parameters: {
					operation: 'complete',
					api: 'agent',
					model: { __rl: true, mode: 'id', value: 'sonar' },
					inputMode: 'prompt',
					prompt: '={{ $json.prompt }}',
					requestOptions,
				},
				credentials: {
					[lib.CREDENTIAL_TYPE]: { id: stack.credential.id, name: stack.credential.name },
				},
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Perplexity Chat', type: 'main', index: 0 }]] },
		},
	});
	await stack.n8n.activateWorkflow(workflow.id);
	return { id: workflow.id, path };
}

interface Round {
	responses: Array<{ status: number; body: any }>;
	ms: number;
}

/** Every caller at once, each with its own ITEMS questions. */
async function callAll(path: string, tag: string): Promise<Round> {
	const started = Date.now();
	const responses = await Promise.all(
		Array.from({ length: CALLERS }, (_, caller) =>
			stack.n8n.callWebhook(path, {
				body: {
					questions: Array.from({ length: ITEMS }, (_, item) => ({
						prompt: question(tag, caller, item),
					})),
				},
			}),
		),
	);
	return { responses, ms: Date.now() - started };
}

/** n8n's log lines of one process that are JSON, as winston writes them. */
function logEntries(file: string): Array<{ message: string; metadata: Record<string, any> }> {
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line.startsWith('{'))
		.flatMap((line) => {
			try {
				const entry = JSON.parse(line);
				return [{ message: String(entry.message), metadata: entry.metadata ?? {} }];
			} catch {
				return [];
			}
		});
}

/** The ids of executions of `workflowId` whose log message in `file` starts with `text`. */
function executionsLogged(file: string, text: string, workflowId?: string): string[] {
	return logEntries(file)
		.filter(
			(e) => e.message.startsWith(text) && (!workflowId || e.metadata.workflowId === workflowId),
		)
		.map((e) => String(e.metadata.executionId));
}

/**
 * Where each execution of the workflow ran, from n8n's logs: the workers' "Worker started/finished
 * execution" lines, and the main process's "Enqueued execution" and "Execution … finished" (with
 * the id of the worker that reported it).
 */
function placement(workflowId: string, executions: ExecutionSummary[]) {
	const ids = executions.map((e) => String(e.id)).sort();
	const started = stack.workers.map((w) =>
		executionsLogged(w.logFile, 'Worker started execution', workflowId),
	);
	const finished = stack.workers.map((w) =>
		executionsLogged(w.logFile, 'Worker finished execution', workflowId),
	);
	const mainLog = stack.n8n.logFile;
	const enqueued = executionsLogged(mainLog, 'Enqueued execution').filter((id) => ids.includes(id));
	const reportedBy = logEntries(mainLog)
		.filter((e) => /^Execution \d+ \(job \S+\) finished/.test(e.message))
		.filter((e) => ids.includes(String(e.metadata.executionId)))
		.map((e) => String(e.metadata.workerId));
	return { ids, started, finished, enqueued, reportedBy };
}

async function expectRanOnWorkers(workflowId: string, executions: ExecutionSummary[]) {
	// Log lines reach the files through pipes: give the last ones a moment.
	let where = placement(workflowId, executions);
	for (let tries = 0; tries < 20 && where.reportedBy.length < CALLERS; tries++) {
		await new Promise((resolve) => setTimeout(resolve, 250));
		where = placement(workflowId, executions);
	}
	expect(where.ids).toHaveLength(CALLERS);
	// Each execution started and finished on exactly one worker, the same one.
	expect([...where.started.flat()].sort()).toEqual(where.ids);
	where.started.forEach((ids, worker) =>
		expect([...ids].sort()).toEqual([...where.finished[worker]].sort()),
	);
	// The main process only enqueued them, and heard back from a worker on each (n8n names a
	// worker's host id worker-…, the main process's main-…).
	expect([...where.enqueued].sort()).toEqual(where.ids);
	expect(where.reportedBy).toHaveLength(CALLERS);
	for (const id of where.reportedBy) expect(id).toMatch(/^worker-/);
	return where.started.map((ids) => ids.length);
}

/**
 * Every caller got its ITEMS answers, in order; the execution records agree item by item (paired
 * to their inputs); and the sandbox answered each question with exactly one successful request.
 */
async function expectEveryItemOnce(
	tag: string,
	round: Round,
	workflowId: string,
	requests: SandboxRequest[],
): Promise<ExecutionSummary[]> {
	round.responses.forEach((response, caller) => {
		expect(response.status).toBe(200);
		expect(Array.isArray(response.body)).toBe(true);
		expect(response.body).toHaveLength(ITEMS);
		(response.body as Array<{ content: string }>).forEach((item, index) =>
			expect(item.content).toContain(`You asked: "${question(tag, caller, index)}"`),
		);
	});

	const executions = await stack.n8n.waitForExecutions(workflowId, { count: CALLERS });
	expect(executions).toHaveLength(CALLERS);
	const answered: string[] = [];
	for (const summary of executions) {
		expect(summary).toEqual(expect.objectContaining({ mode: 'webhook', status: 'success' }));
		const execution = await stack.n8n.getExecution(summary.id);
		const inputs = lib.nodeItems(execution.data, 'Split Out');
		const outputs = lib.nodeItems(execution.data, 'Perplexity Chat');
		expect(outputs).toHaveLength(ITEMS);
		outputs.forEach((item, index) => {
			expect(item.pairedItem).toEqual(expect.objectContaining({ item: index }));
			expect(item.json.content).toContain(`You asked: "${inputs[index].json.prompt}"`);
			answered.push(inputs[index].json.prompt);
		});
	}
	const asked = Array.from({ length: CALLERS }, (_, caller) =>
		Array.from({ length: ITEMS }, (_, item) => question(tag, caller, item)),
	).flat();
	expect(answered.sort()).toEqual([...asked].sort());

	const ok = requests.filter((r) => r.status === 200);
	expect(ok.map((r) => r.prompt).sort()).toEqual([...asked].sort());
	return executions;
}

const completions = () =>
	sandbox()
		.requests()
		.filter((r) => r.path === '/v1/agent');

describe(`queue mode: main, ${WORKERS} workers (--concurrency=${WORKER_CONCURRENCY}), ${CALLERS} callers × ${ITEMS} items`, () => {
	test('the executions run on the workers; every item is answered once, in order', async () => {
		sandbox().reset();
		sandbox().configure({ latencyMs: 100 });
		const workflow = await webhookWorkflow('plain');
		const round = await callAll(workflow.path, 'plain');
		const requests = completions();
		const executions = await expectEveryItemOnce('plain', round, workflow.id, requests);
		const perWorker = await expectRanOnWorkers(workflow.id, executions);
		expect(requests.filter((r) => r.status !== 200)).toEqual([]);
		log(
			`no limit: ${seconds(round.ms)} s, executions per worker ${perWorker.join(' + ')}, ` +
				`${requests.length} requests, 0 answered 429, 0 lost`,
		);
	});

	const LIMIT = { limit: 10, windowMs: 1000 };
	/** The time the limit allows for every item: one window per `limit` requests, the last one open. */
	const allowedMs = ((CALLERS * ITEMS) / LIMIT.limit - 1) * LIMIT.windowMs;

	/** Both workers under the sandbox's one limit; every item answered once; the figures logged. */
	async function underTheLimit(tag: string, requestOptions: Record<string, number> = {}) {
		sandbox().reset();
		sandbox().configure({ latencyMs: 100, rateLimit: LIMIT });
		const workflow = await webhookWorkflow(tag, requestOptions);
		const round = await callAll(workflow.path, tag);
		const requests = completions();
		const executions = await expectEveryItemOnce(tag, round, workflow.id, requests);
		const perWorker = await expectRanOnWorkers(workflow.id, executions);
		// Both workers took executions, so both met the one limit.
		expect(perWorker.every((count) => count > 0)).toBe(true);
		const limited = requests.filter((r) => r.status === 429);
		// Nothing reached the sandbox but the successes and the 429s of its limiter.
		expect(limited.every((r) => r.fault === 'rate_limiter')).toBe(true);
		expect(limited.length + CALLERS * ITEMS).toBe(requests.length);
		log(
			`${tag} ${JSON.stringify(requestOptions)}, limit ${LIMIT.limit} per ${LIMIT.windowMs} ms: ` +
				`${seconds(round.ms)} s ` +
				`(${(round.ms / allowedMs).toFixed(2)} × the ${seconds(allowedMs)} s the limit allows), ` +
				`executions per worker ${perWorker.join(' + ')}, ${requests.length} requests, ` +
				`${limited.length} answered 429, 0 lost`,
		);
	}

	test('under a rate limit the workers share: 0 items lost, each answered by one request', async () => {
		await underTheLimit('adaptive');
	});

	test("with Max Requests per Minute a tenth under the limit ÷ workers (the README's advice): 0 items lost, each answered by one request", async () => {
		const perWorker = (0.9 * LIMIT.limit * (60_000 / LIMIT.windowMs)) / WORKERS;
		await underTheLimit('capped', { requestsPerMinute: perWorker });
	});
});
