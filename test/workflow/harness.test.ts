/**
 * Proves the in-process harness itself (test/helpers/harness.ts) against a real HTTP server on
 * 127.0.0.1 that this file starts: authentication, request body, output and pairing, several
 * items, errors with and without Continue On Fail, streaming capture, chained nodes and hermetic
 * networking; then the same harness against the Perplexity sandbox.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	CREDENTIAL_TYPE,
	loadPackage,
	NODE_TYPE,
	PACKAGE_ROOT,
	runNode,
	runWorkflow,
} from '../helpers/harness';
import { type Sandbox, startSandbox } from '../sandbox/server';

const API_KEY = 'pplx-harness-key-123456';

interface Seen {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: IDataObject;
}

type Answer = (request: Seen, res: http.ServerResponse) => void | Promise<void>;

function agentResponse(text: string): IDataObject {
	return {
		id: 'resp_1',
		object: 'response',
		created_at: 1,
		status: 'completed',
		model: 'perplexity/sonar',
		output: [
			{
				type: 'message',
				role: 'assistant',
				content: [{ type: 'output_text', text, annotations: [] }],
			},
		],
		usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
	};
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(JSON.stringify(body));
}

/** The text a request asked about: the last message of its input. */
function promptOf(request: Seen): string {
	const input = request.body.input as Array<{ content: string }> | undefined;
	return input?.at(-1)?.content ?? '';
}

/** Agent API answer: JSON, or SSE when the body asks for a stream. */
const agentApi: Answer = (request, res) => {
	if (request.method !== 'POST' || request.url !== '/v1/agent') {
		sendJson(res, 404, { detail: 'Not Found' });
		return;
	}
	if (request.headers.authorization !== `Bearer ${API_KEY}`) {
		sendJson(res, 401, {
			error: { message: 'Invalid API key provided', type: 'invalid_api_key', code: 401 },
		});
		return;
	}
	const text = promptOf(request) === 'Hi' ? 'Hello' : `Answer to ${promptOf(request)}`;
	if (request.body.stream !== true) {
		sendJson(res, 200, agentResponse(text));
		return;
	}
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	const half = Math.ceil(text.length / 2);
	const events = [
		{ type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } },
		{ type: 'response.output_text.delta', delta: text.slice(0, half) },
		{ type: 'response.output_text.delta', delta: text.slice(half) },
		{ type: 'response.completed', response: agentResponse(text) },
	];
	for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
	res.end();
};

let answer: Answer = agentApi;
const seen: Seen[] = [];
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
	server = http.createServer((req, res) => {
		const parts: Buffer[] = [];
		req.on('data', (part: Buffer) => parts.push(part));
		req.on('end', () => {
			const text = Buffer.concat(parts).toString('utf8');
			const request: Seen = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: text ? (JSON.parse(text) as IDataObject) : {},
			};
			seen.push(request);
			void Promise.resolve(answer(request, res)).catch((error: Error) => {
				res.destroy(error);
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	answer = agentApi;
	seen.length = 0;
});

const model = { __rl: true, mode: 'id', value: 'sonar' };
const promptParameters = (prompt: string, extra: IDataObject = {}) => ({
	operation: 'complete',
	api: 'agent',
	model,
	inputMode: 'prompt',
	prompt,
	...extra,
});

describe('loading the built package', () => {
	test('loads dist/ through the n8n attribute, as n8n loads a community package', async () => {
		const { loader, nodeTypes, credentialTypes } = await loadPackage();
		expect(loader.packageName).toBe('n8n-nodes-perplexity-chat');
		expect(loader.directory).toBe(PACKAGE_ROOT);
		expect(Object.keys(loader.nodeTypes)).toEqual(['perplexityChat', 'lmChatPerplexity']);
		expect(Object.keys(credentialTypes)).toEqual([CREDENTIAL_TYPE]);
		expect(loader.nodeTypes.perplexityChat.sourcePath).toBe(
			'dist/nodes/PerplexityChat/PerplexityChat.node.js',
		);
		expect(nodeTypes.getByNameAndVersion(NODE_TYPE, 1).description.name).toBe('perplexityChat');
		expect(nodeTypes.getKnownTypes()).toHaveProperty([NODE_TYPE]);
		// The credential knows which node uses it, as after n8n's own loading.
		expect(credentialTypes[CREDENTIAL_TYPE].supportedNodes).toEqual([
			'perplexityChat',
			'lmChatPerplexity',
		]);
	});

	test('is loaded once per test file', async () => {
		expect(await loadPackage()).toBe(await loadPackage());
	});
});

describe('one item', () => {
	test('authenticates with the credential, sends the body the node built, outputs the completion', async () => {
		const result = await runNode({
			parameters: promptParameters('Hi'),
			items: [{ json: { q: 'a' } }],
			credentials: { apiKey: API_KEY, baseUrl },
		});

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(seen).toHaveLength(1);
		const [request] = seen;
		expect(request.method).toBe('POST');
		expect(request.url).toBe('/v1/agent');
		// The generic authenticate object of the credential, resolved with $credentials.
		expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(request.headers['content-type']).toMatch(/^application\/json/);
		expect(request.body).toEqual({
			model: 'perplexity/sonar',
			input: [{ role: 'user', content: 'Hi' }],
			tools: [{ type: 'web_search' }],
		});

		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			id: 'resp_1',
			object: 'chat.completion',
			model: 'perplexity/sonar',
			choices: [
				{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello' } },
			],
			usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
		});
		expect(result.chunks).toEqual([]);
		expect(result.runData['Perplexity Chat']).toHaveLength(1);
		expect(result.executionOrder).toEqual(['Perplexity Chat']);
	});

	test('fills in the base URL default of the credential (and the guard keeps it off the internet)', async () => {
		const result = await runNode({
			parameters: promptParameters('Hi', { requestOptions: { maxRetries: 0 } }),
			credentials: { apiKey: API_KEY },
		});
		expect(seen).toHaveLength(0);
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error?.message).toContain(
			'allows only loopback connections; one to api.perplexity.ai:443 was blocked',
		);
	});
});

describe('several items', () => {
	test('give one output each, in input order, paired to their input', async () => {
		// Answer the first request last, so that order comes from the node, not the server.
		const delays: Record<string, number> = { a: 60, b: 0, c: 20 };
		answer = async (request, res) => {
			await new Promise((resolve) => setTimeout(resolve, delays[promptOf(request)] ?? 0));
			await agentApi(request, res);
		};
		const result = await runNode({
			parameters: promptParameters('={{ $json.q }}', { requestOptions: { concurrency: 3 } }),
			items: [{ json: { q: 'a' } }, { json: { q: 'b' } }, { json: { q: 'c' } }],
			credentials: { apiKey: API_KEY, baseUrl },
		});

		expect(result.error).toBeUndefined();
		expect(seen.map(promptOf).sort()).toEqual(['a', 'b', 'c']);
		expect(result.items.map(({ json, pairedItem }) => [json.choices, pairedItem])).toEqual(
			['a', 'b', 'c'].map((q, index) => [
				[
					{
						index: 0,
						finish_reason: 'stop',
						message: { role: 'assistant', content: `Answer to ${q}` },
					},
				],
				{ item: index },
			]),
		);
	});
});

describe('errors', () => {
	const rejectKey: Answer = (_request, res) =>
		sendJson(res, 401, {
			error: { message: 'Invalid API key provided', type: 'invalid_api_key', code: 401 },
		});

	test('a 401 without Continue On Fail ends the execution with the real NodeApiError', async () => {
		answer = rejectKey;
		const result = await runNode({
			parameters: promptParameters('Hi'),
			items: [{ json: { q: 'a' } }, { json: { q: 'b' } }],
			credentials: { apiKey: 'wrong-key-000', baseUrl },
			continueOnFail: false,
		});

		expect(result.items).toEqual([]);
		expect(result.status).toBe('error');
		expect(result.error).toBeInstanceOf(NodeApiError);
		const error = result.error as NodeApiError;
		expect(error.message).toBe(
			'Perplexity API error 401 (invalid_api_key): Invalid API key provided [item 0]',
		);
		expect(error.description).toContain('Check the API key');
		expect(error.httpCode).toBe('401');
		expect(error.context.itemIndex).toBe(0);
		expect(error.node.name).toBe('Perplexity Chat');
		// The same error is recorded in the run data, as n8n stores it.
		expect(result.runs[0].error?.message).toBe(error.message);
		expect(result.run?.data.resultData.error?.message).toBe(error.message);
	});

	test('a 401 with Continue On Fail gives an error item per input, paired to it', async () => {
		answer = rejectKey;
		const result = await runNode({
			parameters: promptParameters('Hi'),
			items: [{ json: { q: 'a' } }, { json: { q: 'b' } }],
			credentials: { apiKey: 'wrong-key-000', baseUrl },
			continueOnFail: true,
		});

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(result.items).toEqual(
			[0, 1].map((index) => ({
				json: {
					error: `Perplexity API error 401 (invalid_api_key): Invalid API key provided [item ${index}]`,
					description: expect.stringContaining('Check the API key') as unknown,
					httpCode: '401',
					item: index,
				},
				pairedItem: { item: index },
			})),
		);
	});

	test('a node without credentials fails the way n8n reports it', async () => {
		const result = await runNode({ parameters: promptParameters('Hi') });
		expect(seen).toHaveLength(0);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error?.message).toBe('Node does not have any credentials set');
	});

	test('n8n refuses to start when a required parameter is empty, and says which', async () => {
		const result = await runNode({
			parameters: promptParameters(''),
			credentials: { apiKey: API_KEY, baseUrl },
		});
		expect(seen).toHaveLength(0);
		expect(result.status).toBe('not-started');
		expect(result.error?.name).toBe('WorkflowHasIssuesError');
		expect(result.issues).toEqual({
			'Perplexity Chat': { parameters: { prompt: [expect.stringContaining('Prompt')] } },
		});
	});
});

describe('streaming', () => {
	test('a streaming execution makes isStreaming() true and captures every chunk', async () => {
		const result = await runNode({
			parameters: promptParameters('={{ $json.q }}', { requestOptions: { stream: true } }),
			items: [{ json: { q: 'Hi' } }, { json: { q: 'x' } }],
			credentials: { apiKey: API_KEY, baseUrl },
			streaming: true,
		});

		expect(result.error).toBeUndefined();
		expect(seen.map(({ body, headers }) => [body.stream, headers.accept])).toEqual([
			[true, 'text/event-stream'],
			[true, 'text/event-stream'],
		]);
		const ofItem = (itemIndex: number) =>
			result.chunks.filter((chunk) => chunk.itemIndex === itemIndex);
		expect(ofItem(0)).toEqual([
			{ type: 'begin', itemIndex: 0 },
			{ type: 'item', itemIndex: 0, content: 'Hel' },
			{ type: 'item', itemIndex: 0, content: 'lo' },
			{ type: 'end', itemIndex: 0 },
		]);
		expect(
			ofItem(1)
				.map(({ type, content }) => content ?? type)
				.join('|'),
		).toBe('begin|Answer| to x|end');
		expect(result.streamed[0]).toMatchObject({
			type: 'begin',
			metadata: { nodeName: 'Perplexity Chat', itemIndex: 0, runIndex: 0 },
		});
		// The streamed answer is also the output, assembled from the final event.
		expect(result.items.map(({ json }) => (json.choices as IDataObject[])[0])).toEqual([
			{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello' } },
			{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Answer to x' } },
		]);
	});

	test('without a streaming execution nothing is forwarded, even when the API streams', async () => {
		const result = await runNode({
			parameters: promptParameters('Hi', { requestOptions: { stream: true } }),
			credentials: { apiKey: API_KEY, baseUrl },
		});
		expect(seen[0].body.stream).toBe(true);
		expect(result.chunks).toEqual([]);
		expect(result.items[0].json).toMatchObject({ choices: [{ message: { content: 'Hello' } }] });
	});

	test('a streaming execution streams from the API by default', async () => {
		const result = await runNode({
			parameters: promptParameters('Hi'),
			credentials: { apiKey: API_KEY, baseUrl },
			streaming: true,
		});
		expect(seen[0].body.stream).toBe(true);
		expect(result.chunks.map(({ type }) => type)).toEqual(['begin', 'item', 'item', 'end']);
	});

	test('an error while streaming is sent as an error chunk by the engine', async () => {
		answer = (_request, res) => sendJson(res, 401, { error: { message: 'Invalid API key' } });
		const result = await runNode({
			parameters: promptParameters('Hi', { requestOptions: { stream: true } }),
			credentials: { apiKey: API_KEY, baseUrl },
			streaming: true,
		});
		expect(result.error).toBeInstanceOf(NodeApiError);
		// The node closes the item it opened with its error; the engine then sends the description.
		expect(result.chunks).toEqual([
			{ type: 'begin', itemIndex: 0 },
			{ type: 'error', itemIndex: 0, content: (result.error as NodeApiError).message },
			{ type: 'error', itemIndex: 0, content: (result.error as NodeApiError).description },
		]);
	});
});

describe('workflows of several nodes', () => {
	test('two chained nodes: the second answers the output of the first', async () => {
		const nodes: Array<Partial<INode> & Pick<INode, 'name'>> = [
			{ name: 'Ask', parameters: promptParameters('={{ $json.q }}') },
			{
				name: 'Follow up',
				parameters: promptParameters('={{ $json.choices[0].message.content }}'),
			},
		];
		const result = await runWorkflow(
			{
				nodes,
				connections: { Ask: { main: [[{ node: 'Follow up', type: 'main', index: 0 }]] } },
			},
			{ credentials: { apiKey: API_KEY, baseUrl }, items: [{ json: { q: 'Hi' } }] },
		);

		expect(result.error).toBeUndefined();
		expect(result.executionOrder).toEqual(['Ask', 'Follow up']);
		expect(seen.map(promptOf)).toEqual(['Hi', 'Hello']);
		expect(result.nodes.Ask.items[0].json).toMatchObject({
			choices: [{ message: { content: 'Hello' } }],
		});
		expect(result.nodes['Follow up'].items).toEqual([
			expect.objectContaining({
				json: expect.objectContaining({
					choices: [
						expect.objectContaining({ message: { role: 'assistant', content: 'Answer to Hello' } }),
					],
				}) as unknown,
				pairedItem: { item: 0 },
			}),
		]);
	});

	test('a failing first node stops the workflow; the error names the node', async () => {
		answer = (_request, res) => sendJson(res, 500, { error: { message: 'boom' } });
		const result = await runWorkflow(
			{
				nodes: [
					{
						name: 'Ask',
						parameters: promptParameters('Hi', { requestOptions: { maxRetries: 0 } }),
					},
					{ name: 'Follow up', parameters: promptParameters('again') },
				],
				connections: { Ask: { main: [[{ node: 'Follow up', type: 'main', index: 0 }]] } },
			},
			{ credentials: { apiKey: API_KEY, baseUrl } },
		);
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error).toBe(result.nodes.Ask.error);
		expect((result.error as NodeApiError).node.name).toBe('Ask');
		expect(result.nodes['Follow up']).toEqual({
			items: [],
			outputs: [],
			chunks: [],
			runs: [],
			error: undefined,
		});
	});
});

describe('execution control', () => {
	test('aborting the signal cancels the execution and the request in flight', async () => {
		answer = () => new Promise(() => {}); // never answers
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const result = await runNode({
			parameters: promptParameters('Hi', { requestOptions: { maxRetries: 0 } }),
			credentials: { apiKey: API_KEY, baseUrl },
			signal: controller.signal,
		});
		expect(result.status).toBe('canceled');
		expect(result.items).toEqual([]);
	});
});

describe('against the Perplexity sandbox', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, apiKey: API_KEY, quiet: true });
	});

	afterAll(async () => {
		await sandbox?.stop();
	});

	test('a completion: the sandbox accepts the key and the body', async () => {
		const result = await runNode({
			parameters: promptParameters('={{ $json.q }}'),
			items: [{ json: { q: 'What is n8n?' } }, { json: { q: 'What is Perplexity?' } }],
			credentials: { apiKey: API_KEY, baseUrl: sandbox.url },
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map(({ json, pairedItem }) => [json.object, pairedItem])).toEqual([
			['chat.completion', { item: 0 }],
			['chat.completion', { item: 1 }],
		]);
		expect(sandbox.requests().map(({ path, status, auth }) => [path, status, auth])).toEqual([
			['/v1/agent', 200, 'ok'],
			['/v1/agent', 200, 'ok'],
		]);
	});

	test('a streaming execution against the sandbox', async () => {
		const result = await runNode({
			parameters: promptParameters('Tell me about n8n'),
			credentials: { apiKey: API_KEY, baseUrl: sandbox.url },
			streaming: true,
		});
		expect(result.error).toBeUndefined();
		const text = result.chunks
			.filter(({ type }) => type === 'item')
			.map(({ content }) => content)
			.join('');
		expect(text).not.toBe('');
		expect(result.items[0].json).toMatchObject({ choices: [{ message: { content: text } }] });
		expect(result.chunks.at(0)).toEqual({ type: 'begin', itemIndex: 0 });
		expect(result.chunks.at(-1)).toEqual({ type: 'end', itemIndex: 0 });
	});
});
