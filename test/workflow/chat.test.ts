import type { IDataObject } from 'n8n-workflow';

import { runWorkflow } from '../helpers/harness';
import {
	API_KEY,
	chat,
	completions,
	expectNoKey,
	itemsOf,
	model,
	runChat,
	useSandbox,
	visibleText,
} from './support';

const env = useSandbox();

const seedMessages = [
	{
		role: 'system',
		content: 'You are a friendly and helpful AI assistant. Please respond in Korean.',
	},
	{ role: 'user', content: "Hello, what's the weather like today?" },
	{ role: 'assistant', content: "Hello! I'm sorry, but I don't have access to real-time weather." },
	{ role: 'user', content: 'I see. Then please recommend a good restaurant.' },
];

function expectSeedShape(json: IDataObject) {
	expect(json).toMatchObject({
		id: expect.any(String),
		model: expect.any(String),
		object: 'chat.completion',
		created: expect.any(Number),
		citations: expect.arrayContaining([expect.stringMatching(/^https:\/\//)]),
		choices: [
			{
				index: 0,
				finish_reason: 'stop',
				message: { role: 'assistant', content: expect.stringContaining('[1]') },
			},
		],
		usage: {
			prompt_tokens: expect.any(Number),
			completion_tokens: expect.any(Number),
			total_tokens: expect.any(Number),
		},
	});
}

describe('Create Chat Completion on the Agent API', () => {
	it("answers in the seed's shape, with citations for every search result", async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat());
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expectSeedShape(item.json);
		const searchResults = item.json.search_results as IDataObject[];
		expect(searchResults.length).toBeGreaterThan(0);
		expect(item.json.citations).toEqual(searchResults.map((result) => result.url));
		expect(item.pairedItem).toEqual({ item: 0 });

		const [request] = completions(sandbox);
		expect(request).toMatchObject({ path: '/v1/agent', status: 200, auth: 'ok' });
		expect(request.body).toEqual({
			model: 'perplexity/sonar',
			input: [{ role: 'user', content: 'What is new in fusion energy?' }],
			tools: [{ type: 'web_search' }],
		});
	});

	it('takes every option together and the strict Agent API accepts the body', async () => {
		const { sandbox } = env;
		// Temperature and Top P are docs-only on the Agent API: the live API may refuse them.
		sandbox.configure({ acceptDocsOnlyFields: true });
		const result = await runChat(
			sandbox,
			chat({
				model: model('sonar-pro'),
				options: {
					maxTokens: 800,
					temperature: 0.5,
					topP: 0.8,
					// Sonar-only options left over from switching API must never reach the Agent API.
					topK: 10,
					frequencyPenalty: 1.1,
					presencePenalty: 0.3,
					reasoningEffort: 'high',
					languagePreference: 'en',
					maxSteps: 3,
					fallbackModels: 'openai/gpt-5.1',
					includeRawResponse: true,
				},
				searchOptions: {
					domainFilter: 'wikipedia.org, -reddit.com',
					publishedAfter: '2025-01-01T00:00:00',
					updatedBefore: '2026-11-01',
					contextSize: 'medium',
					userLocation: {
						location: { country: 'US', city: 'Boston', latitude: 42.36, longitude: -71.06 },
					},
					searchMode: 'academic',
					returnImages: true,
					languageFilter: 'en',
				},
			}),
		);
		expect(result.error).toBeUndefined();
		const [request] = completions(sandbox);
		expect(request.status).toBe(200);
		expect(request.body).toMatchObject({
			preset: 'low',
			models: ['openai/gpt-5.1'],
			max_output_tokens: 800,
			temperature: 0.5,
			top_p: 0.8,
			reasoning: { effort: 'high' },
			max_steps: 3,
			tools: [
				{
					type: 'web_search',
					filters: {
						search_domain_filter: ['wikipedia.org', '-reddit.com'],
						search_after_date_filter: '01/01/2025',
						last_updated_before_filter: '11/01/2026',
					},
					search_context_size: 'medium',
				},
			],
		});
		const json = result.items[0].json;
		expect(json.citations).not.toContainEqual(expect.stringContaining('reddit.com'));
		expect(json.raw_response).toMatchObject({ object: 'response', status: 'completed' });
	});

	it('gives the same request for the three message inputs', async () => {
		const { sandbox } = env;
		const asList = await runChat(
			sandbox,
			chat({ inputMode: 'messages', messages: { values: seedMessages } }),
		);
		const asJsonText = await runChat(
			sandbox,
			chat({ inputMode: 'json', messagesJson: JSON.stringify(seedMessages, null, 2) }),
		);
		const fromExpression = await runChat(
			sandbox,
			chat({ inputMode: 'json', messagesJson: '={{ $json.messages }}' }),
			{ items: [{ json: { messages: seedMessages } }] },
		);
		for (const result of [asList, asJsonText, fromExpression]) expect(result.error).toBeUndefined();
		const bodies = completions(sandbox).map((request) => request.body as IDataObject);
		expect(bodies).toHaveLength(3);
		expect(bodies[0].input).toEqual(seedMessages);
		expect(bodies[1]).toEqual(bodies[0]);
		expect(bodies[2]).toEqual(bodies[0]);

		await runChat(sandbox, chat({ systemPrompt: 'Answer in one sentence.' }));
		expect((completions(sandbox)[3].body as IDataObject).input).toEqual([
			{ role: 'system', content: 'Answer in one sentence.' },
			{ role: 'user', content: 'What is new in fusion energy?' },
		]);
	});

	it('resolves expressions per item and keeps order and pairing', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat({ prompt: '=Tell me about {{ $json.topic }}' }), {
			items: itemsOf(6, (index) => ({ topic: `topic-${index}` })),
		});
		expect(result.items.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3, 4, 5].map((item) => ({ item })),
		);
		result.items.forEach((item, index) => {
			const content = (item.json.choices as IDataObject[])[0].message as IDataObject;
			expect(content.content).toContain(`Tell me about topic-${index}`);
		});
	});

	it('parses structured output into message.parsed', async () => {
		const { sandbox } = env;
		const schema = {
			type: 'object',
			properties: { city: { type: 'string' }, population: { type: 'integer' } },
			required: ['city', 'population'],
		};
		const result = await runChat(
			sandbox,
			chat({
				options: {
					responseFormat: {
						jsonSchema: { name: 'city', schema: JSON.stringify(schema), strict: true },
					},
				},
			}),
		);
		expect(result.error).toBeUndefined();
		const message = (result.items[0].json.choices as IDataObject[])[0].message as IDataObject;
		expect(message.parsed).toEqual({ city: expect.any(String), population: expect.any(Number) });
		expect(JSON.parse(message.content as string)).toEqual(message.parsed);
		expect(completions(env.sandbox)[0].body).toMatchObject({
			response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } },
		});
	});

	it('maps an incomplete run to finish_reason length', async () => {
		const { sandbox } = env;
		sandbox.addFault({ fault: 'incomplete', times: 1 });
		const result = await runChat(sandbox, chat());
		expect(result.error).toBeUndefined();
		expect((result.items[0].json.choices as IDataObject[])[0].finish_reason).toBe('length');
	});

	it.each([
		['failed', 'The Agent run failed (server_error): The upstream model gave up [item 0]'],
		['cancelled', 'The Agent run was cancelled: The response was cancelled. [item 0]'],
	] as const)('reports an HTTP 200 run that %s as an error', async (fault, expected) => {
		const { sandbox } = env;
		sandbox.addFault({ fault, times: 1, message: 'The upstream model gave up' });
		const result = await runChat(sandbox, chat());
		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe(expected);
		expect(completions(sandbox)).toHaveLength(1);
		expectNoKey(result);
	});

	it('simplifies the output on request', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat({ simplify: true }));
		const json = result.items[0].json;
		expect(Object.keys(json).sort()).toEqual(
			['citations', 'content', 'finish_reason', 'id', 'model', 'search_results', 'usage'].sort(),
		);
		expect(json.content).toContain('What is new in fusion energy?');
	});

	it('answers without search when search is disabled', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat({ searchOptions: { disableSearch: true } }));
		expect(result.items[0].json.citations).toEqual([]);
		expect(completions(sandbox)[0].body).not.toHaveProperty('tools');
	});
});

describe('Create Chat Completion on Sonar Chat Completions', () => {
	it("sends the seed's parameters and answers in the seed's shape", async () => {
		const { sandbox } = env;
		const result = await runChat(
			sandbox,
			chat({
				api: 'sonar',
				model: model('sonar-pro'),
				inputMode: 'messages',
				messages: { values: seedMessages },
				options: {
					maxTokens: 600,
					frequencyPenalty: 1,
					presencePenalty: 0,
					temperature: 0.2,
					topK: 0,
					topP: 0.9,
				},
				searchOptions: {
					searchMode: 'web',
					returnImages: true,
					returnRelatedQuestions: true,
					recency: 'month',
				},
			}),
		);
		expect(result.error).toBeUndefined();
		expectSeedShape(result.items[0].json);
		expect(result.items[0].json.images).toEqual(expect.any(Array));
		expect(result.items[0].json.related_questions).toEqual(expect.any(Array));
		const [request] = completions(sandbox);
		expect(request).toMatchObject({ path: '/chat/completions', status: 200 });
		expect(request.body).toEqual({
			model: 'sonar-pro',
			messages: seedMessages,
			max_tokens: 600,
			temperature: 0.2,
			top_p: 0.9,
			top_k: 0,
			frequency_penalty: 1,
			presence_penalty: 0,
			search_mode: 'web',
			search_recency_filter: 'month',
			return_images: true,
			return_related_questions: true,
		});
	});

	it('moves the <think> block of reasoning models to message.reasoning', async () => {
		const { sandbox } = env;
		const result = await runChat(
			sandbox,
			chat({ api: 'sonar', model: model('sonar-reasoning-pro') }),
		);
		const message = (result.items[0].json.choices as IDataObject[])[0].message as IDataObject;
		expect(message.reasoning).toEqual(expect.any(String));
		expect(message.content).not.toContain('<think>');
		expect(message.content).toContain('[1]');
	});

	it('parses structured output that follows a think block', async () => {
		const { sandbox } = env;
		const result = await runChat(
			sandbox,
			chat({
				api: 'sonar',
				model: model('sonar-reasoning-pro'),
				simplify: true,
				options: {
					responseFormat: {
						jsonSchema: {
							schema:
								'{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}',
						},
					},
				},
			}),
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.parsed).toEqual({ answer: expect.any(String) });
		expect(result.items[0].json.reasoning).toEqual(expect.any(String));
	});
});

describe('Continue On Fail', () => {
	it('gives the failing item an error item in its place, paired, and the others their answers', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat({ prompt: '={{ $json.q }}' }), {
			continueOnFail: true,
			items: itemsOf(5, (index) => ({
				q: index === 2 ? 'Break [[sandbox:bad_request]]' : `Question ${index}`,
			})),
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(5);
		expect(result.items.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3, 4].map((item) => ({ item })),
		);
		expect(result.items[2].json).toMatchObject({
			error: expect.stringMatching(/^Perplexity API error 400 \(invalid_request\): .+ \[item 2\]$/),
			item: 2,
			httpCode: '400',
		});
		for (const index of [0, 1, 3, 4])
			expect(result.items[index].json.object).toBe('chat.completion');
		expectNoKey(result);
	});

	it('without it, fails the node with the error of the failing item', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat(), { apiKey: 'pplx-wrongkey000000000' });
		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe(
			'Perplexity API error 401 (invalid_api_key): Invalid API key provided. [item 0]',
		);
		expect((result.error as { description?: string }).description).toContain('Check the API key');
		expect(visibleText(result)).not.toContain('pplx-wrongkey000000000');
	});
});

describe('two nodes chained as a conversation', () => {
	it('sends the first answer to the second node through expressions', async () => {
		const { sandbox } = env;
		const result = await runWorkflow(
			{
				nodes: [
					{
						name: 'Ask',
						type: 'perplexityChat',
						parameters: chat({ prompt: 'Who discovered penicillin?' }),
					},
					{
						name: 'Follow Up',
						type: 'perplexityChat',
						parameters: chat({
							inputMode: 'json',
							messagesJson:
								"={{ [ { role: 'user', content: 'Who discovered penicillin?' }, { role: 'assistant', content: $json.choices[0].message.content }, { role: 'user', content: 'When was that?' } ] }}",
						}),
					},
				],
				connections: { Ask: { main: [[{ node: 'Follow Up', type: 'main', index: 0 }]] } },
			},
			{ credentials: { apiKey: API_KEY, baseUrl: sandbox.url } },
		);
		expect(result.error).toBeUndefined();
		const first = (
			(result.nodes.Ask.items[0].json.choices as IDataObject[])[0].message as IDataObject
		).content;
		const [, second] = completions(sandbox);
		expect((second.body as IDataObject).input).toEqual([
			{ role: 'user', content: 'Who discovered penicillin?' },
			{ role: 'assistant', content: first },
			{ role: 'user', content: 'When was that?' },
		]);
		expect(result.nodes['Follow Up'].items[0].json.object).toBe('chat.completion');
	});
});
