/**
 * The packed package installed into real n8n (as users install community nodes), talking to the
 * Perplexity sandbox over real HTTP. One `n8n start` serves every case; the CLI cases run `n8n
 * execute` against the same user folder while it runs. The first run installs n8n into .cache/.
 */

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as lib from '../../scripts/lib';
import { recordCapability } from '../helpers/capabilities';
import type { RunItem, SandboxRequest, Stack, WorkflowJson } from '../../scripts/lib';

jest.setTimeout(120_000);

const log = (message: string) => process.stderr.write(`[e2e] ${message}\n`);

let stack: Stack;
let suiteStarted = 0;

beforeAll(async () => {
	suiteStarted = Date.now();
	stack = await lib.startStack({
		build: 'if-missing', // `npm run test:e2e` has just built dist/
		log,
	});
	log(`n8n ${stack.install.version} with the packed node ready in ${elapsed()}`);
}, 30 * 60_000); // a first run on a fresh clone installs Node 24 and n8n (~5 min)

afterAll(async () => {
	await stack?.stop();
	log(`suite done in ${elapsed()}`);
});

function elapsed() {
	return `${((Date.now() - suiteStarted) / 1000).toFixed(1)} s`;
}

const sandbox = () => {
	if (!stack.sandbox) throw new Error('the e2e suite runs against the sandbox');
	return stack.sandbox;
};

/** Sandbox requests after `since` (a seq), optionally only one path. */
function requestsSince(since: number, pathName?: string): SandboxRequest[] {
	return sandbox()
		.requests()
		.filter((r) => r.seq > since && (!pathName || r.path === pathName));
}

const lastSeq = () => sandbox().requests().at(-1)?.seq ?? 0;

/** Every string inside a value, however deeply nested (request bodies, error objects). */
function strings(value: unknown): string[] {
	if (typeof value === 'string') return [value];
	if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
	return [];
}

function chatNode(name: string, parameters: Record<string, unknown>, position: [number, number]) {
	return {
		id: `e2e-${name.replace(/\W+/g, '-').toLowerCase()}`,
		name,
		type: lib.NODE_TYPE,
		typeVersion: 1,
		position,
		parameters: {
			operation: 'complete',
			api: 'agent',
			model: { __rl: true, mode: 'id', value: 'sonar' },
			inputMode: 'prompt',
			options: {},
			...parameters,
		},
		credentials: {
			[lib.CREDENTIAL_TYPE]: { id: stack.credential.id, name: stack.credential.name },
		},
	};
}

const connect = (from: string, to: string) => ({
	[from]: { main: [[{ node: to, type: 'main', index: 0 }]] },
});

/** Whether this n8n's Webhook node offers the "Streaming" response mode. */
function webhookCanStream(types: Array<Record<string, any>>): boolean {
	return types
		.filter((t) => t.name === 'n8n-nodes-base.webhook')
		.some((t) =>
			(t.properties as Array<Record<string, any>>).some(
				(p) =>
					p.name === 'responseMode' &&
					(p.options as Array<{ value: string }> | undefined)?.some((o) => o.value === 'streaming'),
			),
		);
}

/** The seed's output shape: what workflows built on the seed node read. */
function expectSeedCompletion(json: Record<string, any>, model: string) {
	expect(json).toEqual(
		expect.objectContaining({
			id: expect.stringMatching(/\S/),
			model,
			object: 'chat.completion',
			created: expect.any(Number),
			citations: expect.any(Array),
			choices: [
				{
					index: 0,
					finish_reason: 'stop',
					message: { role: 'assistant', content: expect.stringMatching(/\S/) },
				},
			],
			usage: expect.objectContaining({
				prompt_tokens: expect.any(Number),
				completion_tokens: expect.any(Number),
				total_tokens: expect.any(Number),
			}),
		}),
	);
	expect(json.created).toBeGreaterThan(1_600_000_000);
	expect(json.citations.length).toBeGreaterThan(0);
	for (const url of json.citations) expect(url).toMatch(/^https:\/\/[^\s/]+\.[a-z]+\//);
	const { prompt_tokens, completion_tokens, total_tokens } = json.usage;
	expect(prompt_tokens).toBeGreaterThan(0);
	expect(completion_tokens).toBeGreaterThan(0);
	expect(total_tokens).toBe(prompt_tokens + completion_tokens);
}

/** The parts of a /types/nodes.json entry these tests read. */
interface NodeTypeJson {
	name: string;
	version: number | number[];
	defaultVersion?: number;
	codex?: { subcategories?: Record<string, string[]> };
	properties: Array<{ name: string; default: unknown; displayOptions?: { show?: object } }>;
}

describe('n8n node catalogue', () => {
	test('/types/nodes.json lists the node and its AI tool variant', async () => {
		const types = await stack.n8n.nodeTypes();
		const node = types.find((t) => t.name === lib.NODE_TYPE);
		const tool = types.find((t) => t.name === lib.TOOL_NODE_TYPE);
		expect(node).toEqual(expect.objectContaining({ displayName: 'Perplexity Chat' }));
		expect(tool).toBeDefined();
		expect(tool!.displayName).toMatch(/Perplexity Chat/);
	});

	test('version 3 is the default; its codex is searchable and its tool asks for a question', async () => {
		const types = (await stack.n8n.nodeTypes()) as unknown as NodeTypeJson[];
		const node = types.find((t) => t.name === lib.NODE_TYPE);
		expect(node).toEqual(expect.objectContaining({ version: [1, 2, 3], defaultVersion: 3 }));
		expect(node!.properties.find((p) => p.name === 'resource')?.default).toBe('chat');
		expect(node!.codex?.subcategories?.AI).toEqual(expect.arrayContaining(['Root Nodes']));

		const tool = types.find((t) => t.name === lib.TOOL_NODE_TYPE)!;
		const v2Tool = (name: string) =>
			tool.properties.filter(
				(p) =>
					p.name === name &&
					JSON.stringify(p.displayOptions?.show ?? {}).includes('"@tool":[true]') &&
					JSON.stringify(p.displayOptions?.show ?? {}).includes('gte'),
			);
		expect(v2Tool('prompt').map((p) => p.default)).toEqual([
			expect.stringMatching(/^=\{\{ .*\$fromAI\('question', /),
		]);
		expect(v2Tool('inputMode').map((p) => p.default)).toEqual(['prompt']);
		expect(v2Tool('toolDescription').map((p) => p.default)).toEqual([
			expect.stringMatching(/current facts from the web .* sources/),
		]);
		// n8n adds its own "Tool Description" switch only to nodes without one: ours keeps version 1's.
		expect(tool.properties.filter((p) => p.name === 'descriptionType')).toHaveLength(1);
	});
});

const NOT_FOUND =
	'No Agent API (/v1/agent) at this Base URL. If the Base URL ends in /v1, remove the /v1: the node adds the path itself (e.g. https://api.perplexity.ai).';

describe('credential test through the REST API', () => {
	test('a good key passes', async () => {
		const since = lastSeq();
		const result = await stack.n8n.testCredential({
			id: stack.credential.id,
			name: stack.credential.name,
			type: lib.CREDENTIAL_TYPE,
			data: { apiKey: lib.SANDBOX_API_KEY, baseUrl: sandbox().url },
		});
		expect(result).toEqual(expect.objectContaining({ status: 'OK' }));
		// The key was accepted and the body refused: no answer was generated, so nothing was billed.
		expect(requestsSince(since).map((r) => [r.path, r.auth, r.status])).toEqual([
			['/v1/agent', 'ok', 400],
		]);
	});

	test("a key refused with an HTML page by Perplexity's edge fails too", async () => {
		sandbox().addFault({ fault: 'html_401', times: 1, match: { path: '/v1/agent' } });
		const result = await stack.n8n.testCredential({
			id: stack.credential.id,
			name: stack.credential.name,
			type: lib.CREDENTIAL_TYPE,
			data: { apiKey: lib.SANDBOX_API_KEY, baseUrl: sandbox().url },
		});
		expect(result).toEqual({
			status: 'Error',
			message:
				'The endpoint answered with an HTML page, not the API: check the API key and Base URL',
		});
	});

	test('a Base URL without an Agent API fails with a message that says so', async () => {
		const result = await stack.n8n.testCredential({
			id: stack.credential.id,
			name: stack.credential.name,
			type: lib.CREDENTIAL_TYPE,
			data: { apiKey: lib.SANDBOX_API_KEY, baseUrl: `${sandbox().url}/no-such-gateway` },
		});
		expect(result).toEqual({ status: 'Error', message: NOT_FOUND });
	});

	test('a Base URL ending in /v1 fails with the hint to remove the /v1', async () => {
		const result = await stack.n8n.testCredential({
			id: stack.credential.id,
			name: stack.credential.name,
			type: lib.CREDENTIAL_TYPE,
			data: { apiKey: lib.SANDBOX_API_KEY, baseUrl: `${sandbox().url}/v1` },
		});
		expect(result).toEqual({ status: 'Error', message: NOT_FOUND });
		expect(result.message).toContain('ends in /v1, remove the /v1');
	});

	test('a bad key fails with a message that says so and does not repeat the key', async () => {
		const badKey = 'pplx-e2e-wrong-key-0123456789';
		const data = { apiKey: badKey, baseUrl: sandbox().url };
		const saved = await stack.n8n.createCredential({
			name: 'Perplexity Chat API (wrong key)',
			type: lib.CREDENTIAL_TYPE,
			data,
		});
		const since = lastSeq();
		const result = await stack.n8n.testCredential({
			id: saved.id,
			name: saved.name,
			type: lib.CREDENTIAL_TYPE,
			data,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/api key/i);
		expect(JSON.stringify(result)).not.toContain(badKey);
		expect(requestsSince(since).map((r) => [r.auth, r.status])).toContainEqual(['invalid', 401]);
	});
});

/** examples/1-manual-trigger.json as it was saved before version 2 (a test fixture). */
function savedVersion1(credential: { id: string; name: string }): WorkflowJson {
	const file = path.join(
		lib.REPO_ROOT,
		'test',
		'workflow',
		'fixtures',
		'saved-v1-manual-trigger.json',
	);
	return lib.bindCredential(JSON.parse(fs.readFileSync(file, 'utf8')) as WorkflowJson, credential);
}

describe('n8n CLI: import and execute', () => {
	const credential = { id: 'e2eCliSandboxCred', name: 'Perplexity Chat API (CLI import)' };
	const MANUAL = 'e2eManualExample';
	const SAVED_V1 = 'e2eSavedVersion1';
	const CONVERSATION = 'e2eConversation1';
	const MANY_ITEMS = 'e2eManyItemsWf01';
	const CONTINUED = 'e2eContinuedConv';
	const IMAGE = 'e2eImageFromBin1';
	const ITEMS = 20;
	const FAILING = 7;
	/** A 1×1 PNG, turned into binary data inside the workflow by n8n's Convert to File node. */
	const PNG = Buffer.from(
		'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
		'base64',
	);

	beforeAll(async () => {
		await stack.n8n.importCredentials([
			{
				...credential,
				type: lib.CREDENTIAL_TYPE,
				data: { apiKey: lib.SANDBOX_API_KEY, baseUrl: sandbox().url },
			},
		]);
		const manyItems: WorkflowJson = {
			id: MANY_ITEMS,
			name: 'e2e: many items, one failing, continue on fail',
			nodes: [
				{
					id: 'e2e-trigger',
					name: 'Manual Trigger',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'e2e-items',
					name: 'Questions',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [220, 0],
					parameters: {
						jsCode: `return Array.from({ length: ${ITEMS} }, (_, i) => ({ json: { i, prompt: i === ${FAILING} ? 'Question ' + i + ' [[sandbox:bad_request]]' : 'Question ' + i + ': what is item ' + i + '?' } }));`,
					},
				},
				{
					...chatNode('Perplexity Chat', { prompt: '={{ $json.prompt }}' }, [440, 0]),
					credentials: { [lib.CREDENTIAL_TYPE]: credential },
					onError: 'continueRegularOutput',
				},
			],
			connections: {
				...connect('Manual Trigger', 'Questions'),
				...connect('Questions', 'Perplexity Chat'),
			},
			settings: { executionOrder: 'v1' },
		};
		const image: WorkflowJson = {
			id: IMAGE,
			name: 'e2e: an image from binary data',
			nodes: [
				{
					id: 'e2e-image-trigger',
					name: 'Manual Trigger',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'e2e-image-base64',
					name: 'Picture',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [220, 0],
					parameters: { jsCode: `return [{ json: { png: '${PNG.toString('base64')}' } }];` },
				},
				{
					id: 'e2e-image-file',
					name: 'Convert to File',
					type: 'n8n-nodes-base.convertToFile',
					typeVersion: 1.1,
					position: [440, 0],
					parameters: {
						operation: 'toBinary',
						sourceProperty: 'png',
						binaryPropertyName: 'data',
						options: { fileName: 'pixel.png', mimeType: 'image/png' },
					},
				},
				{
					...chatNode(
						'Perplexity Chat',
						{
							resource: 'chat',
							prompt: 'What is in this picture?',
							options: { image: { values: { source: 'binary', binaryPropertyName: 'data' } } },
						},
						[660, 0],
					),
					typeVersion: 3,
					credentials: { [lib.CREDENTIAL_TYPE]: credential },
				},
			],
			connections: {
				...connect('Manual Trigger', 'Picture'),
				...connect('Picture', 'Convert to File'),
				...connect('Convert to File', 'Perplexity Chat'),
			},
			settings: { executionOrder: 'v1' },
		};
		await stack.n8n.importWorkflows([
			{ ...lib.loadExample('1-manual-trigger.json', { credential }), id: MANUAL },
			{ ...savedVersion1(credential), id: SAVED_V1 },
			{ ...lib.loadExample('3-conversation.json', { credential }), id: CONVERSATION },
			{ ...lib.loadExample('6-continue-conversation.json', { credential }), id: CONTINUED },
			manyItems,
			image,
		]);
	});

	test('Manual Trigger → Perplexity Chat (the example): the output has the seed fields', async () => {
		const since = lastSeq();
		const result = await stack.n8n.executeWorkflow(MANUAL);
		expect(result.stderr + result.stdout).not.toContain(lib.SANDBOX_API_KEY);
		expect({ ok: result.ok, error: result.run?.data?.resultData?.error?.message }).toEqual({
			ok: true,
			error: undefined,
		});
		const items = lib.nodeItems(result.run, 'Perplexity Chat');
		expect(items).toHaveLength(1);
		expectSeedCompletion(items[0].json, 'perplexity/sonar');

		// The example's parameters reached the Agent API under its names; sonar became its model.
		const [request] = requestsSince(since, '/v1/agent');
		expect(request).toEqual(expect.objectContaining({ method: 'POST', status: 200, auth: 'ok' }));
		expect(request.body).toEqual({
			model: 'perplexity/sonar',
			input: [
				{ role: 'system', content: 'Be precise and concise. Cite your sources.' },
				{ role: 'user', content: 'What is n8n and what do people use it for?' },
			],
			max_output_tokens: 512,
			tools: [{ type: 'web_search' }],
		});
	});

	test('the same example as saved with version 1 runs unchanged: same request, same output', async () => {
		const before = lastSeq();
		const result = await stack.n8n.executeWorkflow(SAVED_V1);
		expect(result.ok).toBe(true);
		const v1 = lib.nodeItems(result.run, 'Perplexity Chat')[0].json;
		expectSeedCompletion(v1, 'perplexity/sonar');
		expect(Object.keys(v1).slice(0, 4)).toEqual(['id', 'model', 'object', 'created']);
		expect(v1).not.toHaveProperty('content');
		const [v1Request] = requestsSince(before, '/v1/agent');

		const between = lastSeq();
		const v2 = lib.nodeItems((await stack.n8n.executeWorkflow(MANUAL)).run, 'Perplexity Chat')[0];
		expect(Object.keys(v2.json)[0]).toBe('content');
		const [v2Request] = requestsSince(between, '/v1/agent');
		expect(v2Request.body).toEqual(v1Request.body);
		expect(v1Request.body).toMatchObject({ max_output_tokens: 512 });
	});

	test('two Perplexity Chat nodes as a conversation: the second sends the first answer', async () => {
		const since = lastSeq();
		const result = await stack.n8n.executeWorkflow(CONVERSATION);
		expect(result.ok).toBe(true);
		const [first] = lib.nodeItems(result.run, 'Ask');
		const [second] = lib.nodeItems(result.run, 'Follow-up');
		expectSeedCompletion(first.json, first.json.model);
		expectSeedCompletion(second.json, second.json.model);
		const firstAnswer: string = first.json.choices[0].message.content;

		const calls = requestsSince(since, '/v1/agent');
		expect(calls).toHaveLength(2);
		const sent = strings(calls[1].body);
		expect(sent).toContain('Which moon of Saturn is the largest?');
		expect(sent).toContain(firstAnswer);
		expect(sent.some((s) => s.includes('atmosphere compared to Earth'))).toBe(true);
		expect(strings(calls[0].body)).not.toContain(firstAnswer);
	});

	test('three Perplexity Chat nodes continuing one conversation (the example): each sends the ID before it', async () => {
		const since = lastSeq();
		const result = await stack.n8n.executeWorkflow(CONTINUED);
		expect({ ok: result.ok, error: result.run?.data?.resultData?.error?.message }).toEqual({
			ok: true,
			error: undefined,
		});
		const [ask, followUp, second] = ['Ask', 'Follow-up', 'Second follow-up'].map(
			(name) => lib.nodeItems(result.run, name)[0].json,
		);
		for (const json of [ask, followUp, second]) {
			expect(json.id).toMatch(/^resp_/);
			expectSeedCompletion(json, json.model);
		}
		const calls = requestsSince(since, '/v1/agent');
		expect(calls.map((call) => [call.status, call.body.previous_response_id])).toEqual([
			[200, undefined],
			[200, ask.id],
			[200, followUp.id],
		]);
		// A follow-up sends its own question only; Perplexity holds the rest of the conversation.
		expect(calls[2].body.input).toEqual([
			{ role: 'user', content: 'Could there be liquid water below its surface?' },
		]);
		expect(second.content).toContain(
			'This continues the conversation in which you asked "Which moon of Saturn is the largest?", then "How thick is its atmosphere compared to Earth’s?".',
		);
	});

	test('a PNG made in the workflow goes to Perplexity from binary data, byte for byte', async () => {
		const since = lastSeq();
		const result = await stack.n8n.executeWorkflow(IMAGE);
		expect({ ok: result.ok, error: result.run?.data?.resultData?.error?.message }).toEqual({
			ok: true,
			error: undefined,
		});
		const [item] = lib.nodeItems(result.run, 'Perplexity Chat');
		const hash = createHash('sha256').update(PNG).digest('hex').slice(0, 16);
		expect(item.json.content).toContain(
			`You attached a PNG image of ${PNG.length} bytes (SHA-256 ${hash})`,
		);
		const [call] = requestsSince(since, '/v1/agent');
		expect(call.body.input).toEqual([
			{
				role: 'user',
				content: [
					{ type: 'input_text', text: 'What is in this picture?' },
					{ type: 'input_image', image_url: `data:image/png;base64,${PNG.toString('base64')}` },
				],
			},
		]);
	});

	test(`${ITEMS} items with item ${FAILING} failing and Continue On Fail: every item, in order, paired`, async () => {
		const since = lastSeq();
		const result = await stack.n8n.executeWorkflow(MANY_ITEMS);
		expect(result.ok).toBe(true);
		const items: RunItem[] = lib.nodeItems(result.run, 'Perplexity Chat');
		expect(items).toHaveLength(ITEMS);
		items.forEach((item, i) => {
			expect(item.pairedItem).toEqual(expect.objectContaining({ item: i }));
			if (i === FAILING) {
				expect(item.json.choices).toBeUndefined();
				expect(item.json.error).toBeTruthy();
				expect(strings(item.json).join(' ')).not.toContain(lib.SANDBOX_API_KEY);
			} else {
				expect(item.json.error).toBeUndefined();
				expectSeedCompletion(item.json, item.json.model);
				// The sandbox's answer quotes the question: item i holds the answer to question i.
				expect(item.json.choices[0].message.content).toContain(`Question ${i}:`);
			}
		});

		// Each item went out once (a 400 is not retried) and carried its own question.
		const calls = requestsSince(since, '/v1/agent');
		expect(calls).toHaveLength(ITEMS);
		expect(calls.filter((c) => c.status === 400)).toHaveLength(1);
		const prompts = calls.map((c) => strings(c.body).find((s) => s.startsWith('Question ')));
		expect(prompts.sort()).toEqual(
			Array.from({ length: ITEMS }, (_, i) =>
				i === FAILING
					? `Question ${i} [[sandbox:bad_request]]`
					: `Question ${i}: what is item ${i}?`,
			).sort(),
		);
	});
});

describe('n8n CLI: Search', () => {
	const credential = { id: 'e2eSearchCred01', name: 'Perplexity Chat API (Search)' };
	const WORKFLOW = 'e2eSearchWorkflow';
	const QUERIES = ['coral reef bleaching', 'the of and', 'tidal power'];

	const pairedTo = (item: RunItem) => (item.pairedItem as { item: number } | undefined)?.item;

	function searchNode(name: string, output: string, position: [number, number]) {
		return {
			id: `e2e-${name.replace(/\W+/g, '-').toLowerCase()}`,
			name,
			type: lib.NODE_TYPE,
			typeVersion: 3,
			position,
			parameters: {
				resource: 'search',
				operation: 'search',
				queries: { values: [{ query: '={{ $json.query }}' }] },
				maxResults: 3,
				output,
				options: { domainFilter: '-wikipedia.org' },
			},
			credentials: { [lib.CREDENTIAL_TYPE]: credential },
		};
	}

	beforeAll(async () => {
		await stack.n8n.importCredentials([
			{
				...credential,
				type: lib.CREDENTIAL_TYPE,
				data: { apiKey: lib.SANDBOX_API_KEY, baseUrl: sandbox().url },
			},
		]);
		const workflow: WorkflowJson = {
			id: WORKFLOW,
			name: 'e2e: Search, one item per result and one per input',
			nodes: [
				{
					id: 'e2e-search-trigger',
					name: 'Manual Trigger',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: 'e2e-search-queries',
					name: 'Queries',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [220, 0],
					parameters: {
						jsCode: `return ${JSON.stringify(QUERIES)}.map((query) => ({ json: { query } }));`,
					},
				},
				searchNode('Search', 'perResult', [440, -100]),
				searchNode('Search per Input', 'perInput', [440, 100]),
			],
			connections: {
				...connect('Manual Trigger', 'Queries'),
				Queries: {
					main: [
						[
							{ node: 'Search', type: 'main', index: 0 },
							{ node: 'Search per Input', type: 'main', index: 0 },
						],
					],
				},
			},
			settings: { executionOrder: 'v1' },
		};
		await stack.n8n.importWorkflows([workflow]);
	});

	test('Manual Trigger → Code → Search: results paired to their query, in both output modes', async () => {
		const since = lastSeq();
		const result = await stack.n8n.executeWorkflow(WORKFLOW);
		expect(result.stderr + result.stdout).not.toContain(lib.SANDBOX_API_KEY);
		expect({ ok: result.ok, error: result.run?.data?.resultData?.error?.message }).toEqual({
			ok: true,
			error: undefined,
		});

		// One item per result: three for each query that finds pages, none for the stopwords.
		const perResult: RunItem[] = lib.nodeItems(result.run, 'Search');
		expect(perResult.map((item) => [pairedTo(item), item.json.query])).toEqual([
			[0, QUERIES[0]],
			[0, QUERIES[0]],
			[0, QUERIES[0]],
			[2, QUERIES[2]],
			[2, QUERIES[2]],
			[2, QUERIES[2]],
		]);
		for (const item of perResult) {
			expect(Object.keys(item.json)).toEqual([
				'title',
				'url',
				'snippet',
				'date',
				'last_updated',
				'query',
			]);
			const words = String(item.json.query).replace(/\b\w/g, (c) => c.toUpperCase());
			expect(item.json.title).toContain(words);
			expect(item.json.url).toMatch(/^https:\/\//);
			expect(item.json.url).not.toContain('wikipedia.org');
		}
		// The input without results is named in the output panel.
		expect(result.run?.data?.resultData?.runData?.Search?.[0]?.hints).toEqual([
			expect.objectContaining({ message: expect.stringMatching(/^Input item 1 found no results/) }),
		]);

		// One item per input: Perplexity's answer for each, the empty one too.
		const perInput: RunItem[] = lib.nodeItems(result.run, 'Search per Input');
		expect(perInput.map((item) => [pairedTo(item), item.json.query])).toEqual(
			QUERIES.map((query, index) => [index, query]),
		);
		expect(perInput.map((item) => item.json.results.length)).toEqual([3, 0, 3]);
		expect(perInput[2].json.results).toEqual(
			perResult.slice(3).map(({ json: { query, ...page } }) => page),
		);

		// Each input went out once per node, with the options under the Search API's names.
		const calls = requestsSince(since, '/search');
		expect(calls).toHaveLength(6);
		expect(calls.every((call) => call.status === 200 && call.auth === 'ok')).toBe(true);
		expect(
			calls
				.map((call) => call.body)
				.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
		).toEqual(
			[...QUERIES, ...QUERIES]
				.sort()
				.map((query) => ({ query, max_results: 3, search_domain_filter: ['-wikipedia.org'] })),
		);
	});
});

describe('n8n start: triggers', () => {
	test('Schedule Trigger → Perplexity Chat runs on its own once active', async () => {
		// A question, so that the model searches (nothing forces search by default).
		const marker = `What is scheduled question ${Date.now()}?`;
		const workflow = await stack.n8n.createWorkflow({
			name: 'e2e: schedule',
			nodes: [
				{
					id: 'e2e-schedule',
					name: 'Schedule Trigger',
					type: 'n8n-nodes-base.scheduleTrigger',
					typeVersion: 1.2,
					position: [0, 0],
					parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: 2 }] } },
				},
				chatNode('Perplexity Chat', { prompt: marker }, [220, 0]),
			],
			connections: connect('Schedule Trigger', 'Perplexity Chat'),
		});
		await stack.n8n.activateWorkflow(workflow.id);
		let executions;
		try {
			executions = await stack.n8n.waitForExecutions(workflow.id, { count: 1, timeoutMs: 30_000 });
		} finally {
			await stack.n8n.deactivateWorkflow(workflow.id);
		}
		const execution = await stack.n8n.getExecution(executions.at(-1)!.id);
		expect(execution).toEqual(expect.objectContaining({ mode: 'trigger', status: 'success' }));
		const [item] = lib.nodeItems(execution.data, 'Perplexity Chat');
		expectSeedCompletion(item.json, item.json.model);
		const received = sandbox()
			.requests()
			.filter((r) => r.path === '/v1/agent' && strings(r.body).includes(marker));
		expect(received.length).toBeGreaterThanOrEqual(1);
		expect(received[0]).toEqual(expect.objectContaining({ status: 200, auth: 'ok' }));
	});

	const STREAMING_TEST = 'Webhook → Perplexity Chat, streamed to the caller where n8n can stream';

	test(STREAMING_TEST, async () => {
		// The Webhook's "Streaming" response mode, and with it the sendChunk the node streams
		// through, came with n8n 1.10x. On an older n8n the same workflow must still answer: the
		// node reads Perplexity's stream itself and returns the whole answer to the caller.
		const streaming = webhookCanStream(await stack.n8n.nodeTypes());
		recordCapability('streamingToCaller', {
			test: STREAMING_TEST,
			available: streaming,
			note: 'this n8n has no streaming response mode; the caller gets the whole answer',
		});
		const workflow = await stack.n8n.createWorkflow({
			name: 'e2e: streaming webhook',
			nodes: [
				{
					id: 'e2e-streaming-webhook',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: streaming ? 2.1 : 2,
					position: [0, 0],
					webhookId: 'e2e-streaming-webhook',
					parameters: {
						httpMethod: 'POST',
						path: 'perplexity-stream',
						responseMode: streaming ? 'streaming' : 'lastNode',
						options: {},
					},
				},
				// Left out, Stream Response follows the trigger; where the trigger cannot stream it is
				// turned on, so that the node still reads Perplexity's stream.
				chatNode(
					'Perplexity Chat',
					{
						prompt: '={{ $json.body.question }}',
						...(streaming ? {} : { requestOptions: { stream: true } }),
					},
					[220, 0],
				),
			],
			connections: connect('Webhook', 'Perplexity Chat'),
		});
		await stack.n8n.activateWorkflow(workflow.id);
		const since = lastSeq();
		const question = 'How do tides work?';
		let response;
		try {
			response = await stack.n8n.callWebhook('perplexity-stream', { body: { question } });
		} finally {
			await stack.n8n.deactivateWorkflow(workflow.id);
		}
		expect(response.status).toBe(200);
		const [call] = requestsSince(since, '/v1/agent');
		expect(call).toEqual(expect.objectContaining({ status: 200, auth: 'ok', stream: true }));
		if (!streaming) {
			expectSeedCompletion(response.body, 'perplexity/sonar');
			expect(response.body.choices[0].message.content).toContain(`You asked: "${question}"`);
			return;
		}
		// n8n streams one JSON object per line: begin, the node's text pieces, end.
		const chunks = String(response.body)
			.split('\n')
			.filter((line) => line.trim() !== '')
			.map(
				(line) =>
					JSON.parse(line) as { type: string; content?: string; metadata?: { nodeName?: string } },
			);
		const ours = chunks.filter((chunk) => chunk.metadata?.nodeName === 'Perplexity Chat');
		expect(ours[0].type).toBe('begin');
		expect(ours.at(-1)?.type).toBe('end');
		const pieces = ours.filter((chunk) => chunk.type === 'item').map((chunk) => chunk.content);
		expect(pieces.length).toBeGreaterThan(1);
		expect(pieces.join('')).toContain(`You asked: "${question}"`);
	});

	test('Webhook → Perplexity Chat → Respond to Webhook (the example): the caller gets answer and citations', async () => {
		const example = lib.loadExample('2-webhook.json', { credential: stack.credential });
		const workflow = await stack.n8n.createWorkflow(example);
		await stack.n8n.activateWorkflow(workflow.id);
		const since = lastSeq();
		const question = 'What is the highest mountain in the Alps?';
		let response;
		try {
			response = await stack.n8n.callWebhook('perplexity-chat', { body: { question } });
		} finally {
			await stack.n8n.deactivateWorkflow(workflow.id);
		}
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/application\/json/);
		expect(response.body).toEqual({
			answer: expect.stringContaining(question),
			citations: expect.arrayContaining([expect.stringMatching(/^https:\/\//)]),
			model: expect.any(String),
		});
		const [call] = requestsSince(since, '/v1/agent');
		expect(call).toEqual(expect.objectContaining({ status: 200, auth: 'ok' }));
		expect(strings(call.body)).toContain(question);
	});
});
