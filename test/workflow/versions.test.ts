/**
 * Node versions in the real n8n-core engine: workflows saved with version 1 and 2 run as they did,
 * a new node at its defaults sends the same request, version 3's Resource selector reaches the same
 * operations, and the node as an AI Agent's tool asks for one input and answers compactly.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { INode } from 'n8n-workflow';

import {
	loadPackage,
	NODE_TYPE,
	runNode,
	runWorkflow,
	type WorkflowInput,
} from '../helpers/harness';
import { API_KEY, chat, completions, model, useSandbox } from './support';

const env = useSandbox();

const credentials = () => ({ apiKey: API_KEY, baseUrl: env.sandbox.url });

const savedWorkflow = (name: string) =>
	JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as WorkflowInput;

/** The Perplexity Chat node of a workflow file saved before version 2 existed. */
function savedV1Node(): INode {
	const node = savedWorkflow('saved-v1-manual-trigger.json').nodes.find(
		(n) => n.type === NODE_TYPE,
	) as INode | undefined;
	if (!node) throw new Error('the fixture has no Perplexity Chat node');
	return node;
}

describe('a workflow saved with version 1', () => {
	it('runs unchanged: the same request body and the same output layout', async () => {
		const saved = savedV1Node();
		expect(saved.typeVersion).toBe(1);
		const result = await runNode({
			parameters: saved.parameters,
			node: { typeVersion: saved.typeVersion },
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		const [request] = completions(env.sandbox);
		expect(request.body).toEqual({
			model: 'perplexity/sonar',
			input: [
				{ role: 'system', content: 'Be precise and concise. Cite your sources.' },
				{ role: 'user', content: 'What is n8n and what do people use it for?' },
			],
			max_output_tokens: 512,
			tools: [{ type: 'web_search' }],
		});
		const json = result.items[0].json;
		expect(Object.keys(json).slice(0, 4)).toEqual(['id', 'model', 'object', 'created']);
		expect(json).not.toHaveProperty('content');
	});

	it("still sends Options set to the seed's defaults on Sonar, as it always did", async () => {
		const result = await runNode({
			parameters: chat({
				api: 'sonar',
				options: { temperature: 0.2, topP: 0.9, topK: 0, frequencyPenalty: 1, presencePenalty: 0 },
			}),
			node: { typeVersion: 1 },
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		expect(completions(env.sandbox)[0].body).toEqual({
			model: 'sonar',
			messages: [{ role: 'user', content: 'What is new in fusion energy?' }],
			temperature: 0.2,
			top_p: 0.9,
			top_k: 0,
			frequency_penalty: 1,
			presence_penalty: 0,
		});
	});
});

describe('a new node (version 2)', () => {
	it.each([
		[
			'agent',
			{
				model: 'perplexity/sonar',
				input: [{ role: 'user', content: 'What is new in fusion energy?' }],
				tools: [{ type: 'web_search' }],
			},
		],
		[
			'sonar',
			{ model: 'sonar', messages: [{ role: 'user', content: 'What is new in fusion energy?' }] },
		],
	])('on %s at its defaults sends what version 1 sends', async (api, expected) => {
		for (const typeVersion of [1, 2]) {
			env.sandbox.reset();
			const result = await runNode({
				parameters: chat({ api }),
				node: { typeVersion },
				credentials: credentials(),
			});
			expect(result.error).toBeUndefined();
			expect(completions(env.sandbox)[0].body).toEqual(expected);
		}
	});

	it("sends the seed's settings changed on Sonar, and the strict endpoint accepts them", async () => {
		const result = await runNode({
			parameters: chat({ api: 'sonar', maxTokens: 400, temperature: 0.5, topK: 20 }),
			node: { typeVersion: 2 },
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		expect(completions(env.sandbox)[0]).toMatchObject({
			status: 200,
			body: { max_tokens: 400, temperature: 0.5, top_k: 20 },
		});
		expect(completions(env.sandbox)[0].body).not.toHaveProperty('top_p');
	});

	it('puts the answer first, and keeps the fields of the seed', async () => {
		const result = await runNode({
			parameters: chat(),
			node: { typeVersion: 2 },
			credentials: credentials(),
		});
		const json = result.items[0].json;
		expect(Object.keys(json)[0]).toBe('content');
		expect(json).toMatchObject({
			id: expect.any(String),
			object: 'chat.completion',
			created: expect.any(Number),
			citations: expect.any(Array),
			choices: [{ message: { role: 'assistant', content: json.content } }],
			usage: expect.any(Object),
		});
		expect(json.content).toEqual(expect.stringContaining('fusion energy'));
	});

	it.each([1, 2])(
		'version %s: a preset on Sonar is refused before sending, naming the field and the item',
		async (typeVersion) => {
			const result = await runNode({
				parameters: chat({ api: 'sonar', model: model('fast') }),
				node: { typeVersion },
				credentials: credentials(),
			});
			expect(result.error?.message).toBe(
				'Model: "fast" is an Agent API preset: Sonar Chat Completions takes a Sonar model such as sonar or sonar-pro [item 0]',
			);
			expect((result.error as Error & { description?: string }).description).toMatch(
				/set API to Agent API/,
			);
			expect(completions(env.sandbox)).toHaveLength(0);
		},
	);
	it('Get Response puts the answer first too; a run still going keeps its status layout', async () => {
		env.sandbox.configure({ backgroundMs: 300 });
		const submitted = await runNode({
			parameters: chat({ model: model('medium'), requestOptions: { background: 'submit' } }),
			node: { typeVersion: 2 },
			credentials: credentials(),
		});
		const id = submitted.items[0].json.id as string;
		expect(Object.keys(submitted.items[0].json)[0]).toBe('id');

		const fetched = await runNode({
			parameters: { operation: 'getResponse', responseId: id, requestOptions: { pollInterval: 1 } },
			node: { typeVersion: 2 },
			credentials: credentials(),
		});
		expect(fetched.error).toBeUndefined();
		const json = fetched.items[0].json;
		expect(Object.keys(json).slice(0, 3)).toEqual(['content', 'citations', 'id']);
		expect(json).toMatchObject({
			id,
			object: 'chat.completion',
			choices: [{ finish_reason: 'stop' }],
		});
	});
});

const TRIGGER = 'When clicking ‘Execute workflow’';

describe('a workflow saved with version 2', () => {
	it('runs unchanged: a background run started, then fetched by Get Response', async () => {
		env.sandbox.configure({ backgroundMs: 300 });
		const workflow = savedWorkflow('saved-v2-research-then-fetch.json');
		expect(workflow.nodes.filter((n) => n.type === NODE_TYPE).map((n) => n.typeVersion)).toEqual([
			2, 2,
		]);
		// The harness loads this package only: the saved nodes run as saved, fed one item as the
		// trigger would.
		const { [TRIGGER]: _trigger, ...connections } = workflow.connections;
		const result = await runWorkflow(
			{ ...workflow, nodes: workflow.nodes.filter((n) => n.type === NODE_TYPE), connections },
			{ credentials: credentials() },
		);
		expect(result.error).toBeUndefined();

		expect(completions(env.sandbox).map((request) => request.body)).toEqual([
			{
				preset: 'medium',
				input: [{ role: 'user', content: 'How did grid-scale battery prices change this year?' }],
				max_output_tokens: 800,
				background: true,
			},
		]);
		const submitted = result.nodes['Start research'].items[0].json;
		expect(submitted).toMatchObject({ id: expect.stringMatching(/^resp_/), status: 'queued' });
		const fetched = result.nodes['Fetch the answer'].items[0].json;
		expect(fetched).toMatchObject({
			id: submitted.id,
			content: expect.stringContaining('battery prices'),
		});
		expect(env.sandbox.requests().filter((entry) => entry.method === 'GET').length).toBeGreaterThan(
			0,
		);
	});
});

describe('version 3: the Resource selector', () => {
	it('lists Chat and Response, and keeps the operation names saved workflows use', async () => {
		const { nodeTypes } = await loadPackage();
		const { properties } = nodeTypes.getByNameAndVersion(NODE_TYPE, 3).description;
		const resource = properties.find((p) => p.name === 'resource');
		expect(resource?.options?.map((o) => ('value' in o ? o.value : undefined))).toEqual(
			expect.arrayContaining(['chat', 'response']),
		);
		const operationsOf = (name: string) =>
			properties
				.filter(
					(p) =>
						p.name === 'operation' &&
						(p.displayOptions?.show?.resource as string[] | undefined)?.includes(name),
				)
				.flatMap((p) => p.options?.map((o) => ('value' in o ? o.value : undefined)));
		expect(operationsOf('chat')).toEqual(['complete']);
		expect(operationsOf('response')).toEqual(['getResponse']);
	});

	it('Chat → Create Chat Completion at its defaults sends what version 2 sends', async () => {
		const bodies = [];
		for (const typeVersion of [2, 3]) {
			env.sandbox.reset();
			const parameters = typeVersion === 3 ? { resource: 'chat', ...chat() } : chat();
			const result = await runNode({
				parameters,
				node: { typeVersion },
				credentials: credentials(),
			});
			expect(result.error).toBeUndefined();
			expect(Object.keys(result.items[0].json)[0]).toBe('content');
			bodies.push(completions(env.sandbox)[0].body);
		}
		expect(bodies[1]).toEqual(bodies[0]);
	});

	it('Response → Get fetches a run by ID', async () => {
		env.sandbox.configure({ backgroundMs: 300 });
		const submitted = await runNode({
			parameters: chat({ model: model('medium'), requestOptions: { background: 'submit' } }),
			node: { typeVersion: 3 },
			credentials: credentials(),
		});
		const id = submitted.items[0].json.id as string;
		const fetched = await runNode({
			parameters: {
				resource: 'response',
				operation: 'getResponse',
				responseId: id,
				requestOptions: { pollInterval: 1 },
			},
			node: { typeVersion: 3 },
			credentials: credentials(),
		});
		expect(fetched.error).toBeUndefined();
		expect(fetched.items[0].json).toMatchObject({ id, object: 'chat.completion' });
	});

	it('an operation of another resource is refused with a message naming both', async () => {
		const result = await runNode({
			parameters: { resource: 'response', operation: 'complete' },
			node: { typeVersion: 3 },
			credentials: credentials(),
		});
		expect(result.error?.message).toBe(
			'The operation "complete" of resource "response" is not known',
		);
		expect(completions(env.sandbox)).toHaveLength(0);
	});
});

describe('as an AI Agent tool (version 2)', () => {
	const TOOL = `${NODE_TYPE}Tool`;
	const question = 'Who maintains the Perplexity Agent API?';

	it('asks the agent for a question and answers with the text, citations and finish reason', async () => {
		const result = await runNode({
			parameters: {},
			node: { type: TOOL, typeVersion: 2 },
			items: [{ json: { question } }],
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		const [request] = completions(env.sandbox);
		expect(request.body).toMatchObject({
			input: [{ role: 'user', content: question }],
		});
		const json = result.items[0].json;
		expect(Object.keys(json)).toEqual(['content', 'citations', 'finish_reason']);
		expect(json).toEqual({
			content: expect.stringContaining(question),
			citations: expect.arrayContaining([expect.stringMatching(/^https:\/\//)]),
			finish_reason: 'stop',
		});
	});

	it('gives the whole chat completion with Return Full Response', async () => {
		const result = await runNode({
			parameters: { fullResponse: true },
			node: { type: TOOL, typeVersion: 2 },
			items: [{ json: { question } }],
			credentials: credentials(),
		});
		const json = result.items[0].json;
		expect(Object.keys(json)[0]).toBe('content');
		expect(json).toHaveProperty('choices');
		expect(json).toHaveProperty('search_results');
	});

	it('a version 1 tool keeps its Messages input, as saved tools expect', async () => {
		const result = await runNode({
			parameters: { messages: { values: [{ role: 'user', content: question }] } },
			node: { type: TOOL, typeVersion: 1 },
			credentials: credentials(),
		});
		expect(result.error).toBeUndefined();
		expect(completions(env.sandbox)[0].body).toMatchObject({
			input: [{ role: 'user', content: question }],
		});
		expect(result.items[0].json).toHaveProperty('choices');
		expect(Object.keys(result.items[0].json)[0]).toBe('id');
	});
});
