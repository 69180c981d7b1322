import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { chat, completions, model, runChat, useSandbox } from './support';

const env = useSandbox();

const GOOD_ITEMS = 2;

type Case = [
	name: string,
	parameters: INodeParameters,
	good: unknown,
	bad: unknown,
	/** The error message of the bad item, without the trailing " [item N]". */
	message: string | RegExp,
];

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });
const system = (content: string) => ({ role: 'system', content });

const json = (extra: INodeParameters = {}) =>
	chat({ inputMode: 'json', messagesJson: '={{ $json.value }}', ...extra });
const sonar = (options: INodeParameters) => chat({ api: 'sonar', options });

/**
 * Each case gives two good items and then one bad one through an expression, so the table checks
 * that the bad item and its field are named, and that nothing at all was sent, not even for the
 * good items before it.
 */
const cases: Case[] = [
	[
		'messages JSON that does not parse',
		json(),
		'[{"role":"user","content":"hi"}]',
		'[{"role": "user",',
		/^Messages \(JSON\): is not valid JSON \(.+\)$/,
	],
	[
		'messages JSON that is an object',
		json(),
		[user('hi')],
		{ role: 'user', content: 'hi' },
		'Messages (JSON): must be an array of messages, not an object',
	],
	[
		'an empty messages array',
		json(),
		[user('hi')],
		[],
		'Messages (JSON): has no messages: add at least one user message',
	],
	[
		'an unknown role',
		json(),
		[user('hi')],
		[{ role: 'robot', content: 'hi' }],
		'Messages (JSON): message 0 has role "robot": use system, user or assistant',
	],
	[
		'a system message after the user',
		json(),
		[user('hi')],
		[user('a'), system('b'), user('c')],
		'Messages (JSON): message 1 (system) comes after a user message: system messages must come first',
	],
	[
		'two user messages in a row',
		json(),
		[user('hi')],
		[user('a'), user('b')],
		'Messages (JSON): message 1 (user) follows another user message: user and assistant messages must alternate',
	],
	[
		'the assistant first',
		json(),
		[user('hi')],
		[assistant('a'), user('b')],
		'Messages (JSON): message 0 (assistant): the first message after the system messages must be from the user',
	],
	[
		'the assistant last',
		json(),
		[user('hi')],
		[user('a'), assistant('b')],
		'Messages (JSON): the last message (message 1) is from the assistant: the last message must be from the user',
	],
	[
		'empty content',
		json(),
		[user('hi')],
		[user('  ')],
		'Messages (JSON): message 0 (user) has empty content',
	],
	[
		'content that is not text',
		json(),
		[user('hi')],
		[{ role: 'user', content: { text: 'hi' } }],
		'Messages (JSON): message 0 (user) has no text content',
	],
	[
		'an empty row in the messages list',
		chat({
			inputMode: 'messages',
			messages: { values: [{ role: 'user', content: '={{ $json.value }}' }] },
		}),
		'hi',
		'',
		'Messages: message 0 (user) has empty content',
	],
	[
		'a bad role in the messages list',
		chat({
			inputMode: 'messages',
			messages: { values: [{ role: '={{ $json.value }}', content: 'hi' }] },
		}),
		'user',
		'assistant',
		'Messages: message 0 (assistant): the first message after the system messages must be from the user',
	],
	['an empty prompt', chat({ prompt: '={{ $json.value }}' }), 'hi', '', 'Prompt: is empty'],
	[
		'an empty model',
		chat({ model: model('={{ $json.value }}') }),
		'sonar',
		'',
		'Model: is empty: pick a model or preset, or type an ID',
	],
	[
		'temperature above 2',
		chat({ options: { temperature: '={{ $json.value }}' } }),
		0.2,
		3,
		'Options → Temperature: must be between 0 and 2, got 3',
	],
	[
		'temperature as a word',
		chat({ options: { temperature: '={{ $json.value }}' } }),
		0.2,
		'warm',
		'Options → Temperature: must be a number, got "warm"',
	],
	[
		'top p above 1',
		chat({ options: { topP: '={{ $json.value }}' } }),
		0.9,
		1.2,
		'Options → Top P: must be between 0 and 1, got 1.2',
	],
	[
		'max tokens 0',
		chat({ options: { maxTokens: '={{ $json.value }}' } }),
		100,
		0,
		'Options → Max Tokens: must be between 1 and 128000, got 0',
	],
	[
		'max tokens with a fraction',
		chat({ options: { maxTokens: '={{ $json.value }}' } }),
		100,
		99.5,
		'Options → Max Tokens: must be a whole number, got 99.5',
	],
	[
		'presence penalty above 2 on Sonar',
		sonar({ presencePenalty: '={{ $json.value }}' }),
		0,
		2.5,
		'Options → Presence Penalty: must be between 0 and 2, got 2.5',
	],
	[
		'frequency penalty 0 on Sonar',
		sonar({ frequencyPenalty: '={{ $json.value }}' }),
		1,
		0,
		'Options → Frequency Penalty: must be greater than 0, got 0',
	],
	[
		'negative top k on Sonar',
		sonar({ topK: '={{ $json.value }}' }),
		0,
		-1,
		'Options → Top K: must be between 0 and 2048, got -1',
	],
	[
		'an Agent-only reasoning effort on Sonar',
		sonar({ reasoningEffort: '={{ $json.value }}' }),
		'low',
		'xhigh',
		'Options → Reasoning Effort: must be one of minimal, low, medium, high, got "xhigh"',
	],
	[
		'a date that is not a date',
		chat({ searchOptions: { publishedAfter: '={{ $json.value }}' } }),
		'2026-01-01',
		'yesterday',
		'Search → Published After: "yesterday" is not a date: use the date picker, YYYY-MM-DD or MM/DD/YYYY',
	],
	[
		'a date that does not exist',
		chat({ searchOptions: { updatedBefore: '={{ $json.value }}' } }),
		'2026-02-28',
		'2026-02-30',
		'Search → Updated Before: "2026-02-30" is not a real calendar date',
	],
	[
		'recency together with a date',
		chat({ searchOptions: { recency: 'week', publishedBefore: '={{ $json.value }}' } }),
		'',
		'2026-01-01',
		'Search → Recency: cannot be combined with Published Before: use either a recency or dates',
	],
	[
		'dates the wrong way round',
		chat({ searchOptions: { updatedAfter: '={{ $json.value }}', updatedBefore: '2026-06-01' } }),
		'2026-05-01',
		'2026-07-01',
		'Search → Updated After: (07/01/2026) is later than Updated Before (06/01/2026)',
	],
	[
		'a domain with a scheme',
		chat({ searchOptions: { domainFilter: '={{ $json.value }}' } }),
		'nature.com',
		'https://nature.com',
		'Search → Domain Filter: "https://nature.com" has a scheme: give the domain alone, e.g. nature.com',
	],
	[
		'too many domains',
		chat({ searchOptions: { domainFilter: '={{ $json.value }}' } }),
		'a.com',
		Array.from({ length: 21 }, (_, i) => `site${i}.org`).join(', '),
		'Search → Domain Filter: has 21 entries: at most 20 are allowed',
	],
	[
		'a schema that is not JSON',
		chat({
			options: { responseFormat: { jsonSchema: { name: 'x', schema: '={{ $json.value }}' } } },
		}),
		'{"type":"object"}',
		'{"type": obj',
		/^Options → Structured Output \(JSON Schema\) → Schema: is not valid JSON \(.+\)$/,
	],
	[
		'a schema name with spaces',
		chat({
			options: { responseFormat: { jsonSchema: { name: '={{ $json.value }}', schema: '{}' } } },
		}),
		'facts',
		'my facts',
		'Options → Structured Output (JSON Schema) → Name: "my facts" must be 1 to 64 letters, digits, _ or -',
	],
	[
		'a latitude beyond the pole',
		chat({
			searchOptions: {
				userLocation: { location: { latitude: '={{ $json.value }}', longitude: 10 } },
			},
		}),
		45,
		95,
		'Search → User Location → Latitude: must be between -90 and 90, got 95',
	],
	[
		'a country name instead of a code',
		chat({ searchOptions: { userLocation: { location: { country: '={{ $json.value }}' } } } }),
		'DE',
		'Germany',
		'Search → User Location → Country: "Germany" is not a two-letter country code (e.g. US, DE)',
	],
	[
		'a preset as a fallback model',
		chat({ model: model('openai/gpt-5.1'), options: { fallbackModels: '={{ $json.value }}' } }),
		'perplexity/sonar',
		'fast',
		'Options → Fallback Models: "fast" is not a model ID: use provider/model, e.g. openai/gpt-5.1',
	],
	[
		'an Anthropic model without Max Tokens',
		chat({ model: model('={{ $json.value }}') }),
		'openai/gpt-5.1',
		'anthropic/claude-sonnet-4-5',
		'Options → Max Tokens: is required for anthropic/claude-sonnet-4-5: Anthropic models on the Agent API need a token limit',
	],
	[
		'a language filter word on Sonar',
		chat({ api: 'sonar', searchOptions: { languageFilter: '={{ $json.value }}' } }),
		'en',
		'english',
		'Search → Language Filter: "english" is not a two-letter ISO 639-1 code (e.g. en, fr)',
	],
];

const items = (good: unknown, bad: unknown) => [
	...Array.from({ length: GOOD_ITEMS }, () => ({ json: { value: good } as IDataObject })),
	{ json: { value: bad } as IDataObject },
];

describe('bad input: a clear error naming item and field, and no request sent', () => {
	it('has at least 25 cases', () => {
		expect(cases.length).toBeGreaterThanOrEqual(25);
	});

	it.each(cases)('%s', async (_, parameters, good, bad, message) => {
		const { sandbox } = env;
		const result = await runChat(sandbox, parameters, { items: items(good, bad) });
		expect(result.items).toEqual([]);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		const text = result.error?.message ?? '';
		expect(text.endsWith(` [item ${GOOD_ITEMS}]`)).toBe(true);
		const withoutItem = text.slice(0, -` [item ${GOOD_ITEMS}]`.length);
		if (typeof message === 'string') expect(withoutItem).toBe(message);
		else expect(withoutItem).toMatch(message);
		expect((result.error as { context?: IDataObject }).context?.itemIndex).toBe(GOOD_ITEMS);
		expect(sandbox.requests()).toEqual([]);
	});

	it('with Continue On Fail, the bad item gets its error and only the good items are sent', async () => {
		const { sandbox } = env;
		// Good items must reach the strict Agent API, so not a docs-only option such as Temperature.
		const [, parameters, good, bad] = cases.find(([name]) => name === 'max tokens 0')!;
		const result = await runChat(sandbox, parameters, {
			items: items(good, bad),
			continueOnFail: true,
		});
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[0].json.object).toBe('chat.completion');
		expect(result.items[1].json.object).toBe('chat.completion');
		expect(result.items[2].json).toEqual({
			error: 'Options → Max Tokens: must be between 1 and 128000, got 0 [item 2]',
			item: 2,
		});
		expect(completions(sandbox)).toHaveLength(GOOD_ITEMS);
	});

	it('Get Response refuses an empty response ID before any request', async () => {
		const { sandbox } = env;
		const result = await runChat(
			sandbox,
			{ operation: 'getResponse', responseId: '={{ $json.value }}' },
			{
				items: items('resp_1', ''),
			},
		);
		expect(result.error?.message).toBe('Response ID: is empty [item 2]');
		expect(sandbox.requests()).toEqual([]);
	});

	it('checks Request Options before any request', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat({ requestOptions: { concurrency: 0 } }));
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error?.message).toBe(
			'Request Options → Concurrency: must be between 1 and 100, got 0 [item 0]',
		);
		expect(sandbox.requests()).toEqual([]);
	});
});
