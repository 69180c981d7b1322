import type { FunctionTool, Message, Tool } from '@n8n/ai-node-sdk';

import {
	agentUsage,
	ConversionError,
	readAgentTurn,
	sourcesList,
	toAgentInput,
	toAgentTools,
	toGenerateResult,
	toolOutputText,
} from '../../nodes/LmChatPerplexity/helpers/conversions';

const text = (role: Message['role'], value: string): Message => ({
	role,
	content: [{ type: 'text', text: value }],
});

const SEARCH_RESULTS = {
	type: 'search_results',
	queries: ['tallest tree'],
	results: [
		{ id: 1, url: 'https://en.wikipedia.org/wiki/Hyperion_(tree)', title: 'Hyperion (tree)' },
		{ id: 2, url: 'https://www.nps.gov/redw/learn/nature/about-the-trees.htm', title: '' },
	],
};

describe('messages to Agent API input', () => {
	test('system, user and assistant text become messages in order, without a type', () => {
		expect(
			toAgentInput([
				text('system', 'Be brief.'),
				text('user', 'Hi'),
				text('assistant', 'Hello!'),
				text('user', 'What is n8n?'),
			]),
		).toEqual([
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello!' },
			{ role: 'user', content: 'What is n8n?' },
		]);
	});

	test('several tool calls in one turn and their results keep their call_ids', () => {
		const input = toAgentInput([
			text('user', 'Weather in Paris and 6 * 7?'),
			{
				role: 'assistant',
				content: [
					{ type: 'text', text: 'Let me check.' },
					{
						type: 'tool-call',
						toolCallId: 'call_a',
						toolName: 'weather',
						input: '{"city":"Paris"}',
					},
					{
						type: 'tool-call',
						toolCallId: 'call_b',
						toolName: 'Calculator',
						input: '{"input":"6 * 7"}',
					},
				],
			},
			{
				role: 'tool',
				content: [{ type: 'tool-result', toolCallId: 'call_a', result: '[{"sky":"clear"}]' }],
			},
			{
				role: 'tool',
				content: [{ type: 'tool-result', toolCallId: 'call_b', result: '[{"response":"42"}]' }],
			},
		]);
		expect(input).toEqual([
			{ role: 'user', content: 'Weather in Paris and 6 * 7?' },
			{ role: 'assistant', content: 'Let me check.' },
			{ type: 'function_call', call_id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
			{
				type: 'function_call',
				call_id: 'call_b',
				name: 'Calculator',
				arguments: '{"input":"6 * 7"}',
			},
			{ type: 'function_call_output', call_id: 'call_a', output: '[{"sky":"clear"}]' },
			{ type: 'function_call_output', call_id: 'call_b', output: '[{"response":"42"}]' },
		]);
	});

	test('a tool error reaches the model as an output that says it is an error', () => {
		const [, , output] = toAgentInput([
			text('user', 'Divide by zero'),
			{
				role: 'assistant',
				content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'Calculator', input: '{}' }],
			},
			{
				role: 'tool',
				content: [
					{ type: 'tool-result', toolCallId: 'c1', result: 'Division by zero', isError: true },
				],
			},
		]);
		expect(output).toEqual({
			type: 'function_call_output',
			call_id: 'c1',
			output: 'Error: Division by zero',
		});
	});

	test("n8n's own id in a call's arguments is taken out, other ids stay", () => {
		const input = toAgentInput([
			text('user', 'q'),
			{
				role: 'assistant',
				content: [
					{
						type: 'tool-call',
						toolCallId: 'call_1',
						toolName: 'lookup',
						input: '{"query":"x","id":"call_1"}',
					},
					{ type: 'tool-call', toolCallId: 'call_2', toolName: 'record', input: '{"id":"r-7"}' },
				],
			},
		]);
		expect(input.slice(1).map((item) => item.arguments)).toEqual(['{"query":"x"}', '{"id":"r-7"}']);
	});

	test('images go out as input_image parts; other files are refused with the message named', () => {
		expect(
			toAgentInput([
				{
					role: 'user',
					content: [
						{ type: 'text', text: 'What is this?' },
						{ type: 'file', mediaType: 'image/png', data: 'iVBORw0KGgo=' },
					],
				},
			]),
		).toEqual([
			{
				role: 'user',
				content: [
					{ type: 'input_text', text: 'What is this?' },
					{ type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
				],
			},
		]);
		expect(() =>
			toAgentInput([
				text('user', 'Read this'),
				{ role: 'user', content: [{ type: 'file', mediaType: 'application/pdf', data: 'JVBER' }] },
			]),
		).toThrow(
			new ConversionError(
				'Message 2 (user) carries a file of type application/pdf: the Agent API takes text and images only',
			),
		);
	});

	test('a conversation without a user message is refused before anything is sent', () => {
		expect(() => toAgentInput([text('system', 'Be brief.')])).toThrow(ConversionError);
	});

	test('tool results that are not strings are sent as JSON, text parts as their text', () => {
		expect(toolOutputText({ total: 3 })).toBe('{"total":3}');
		expect(
			toolOutputText([
				{ type: 'text', text: 'a' },
				{ type: 'text', text: 'b' },
			]),
		).toBe('a\nb');
		expect(toolOutputText(undefined, true)).toBe('Error: null');
	});
});

describe("the AI node's tools to function tools", () => {
	test('function tools get JSON Schema parameters; provider tools are left out', () => {
		const calculator: FunctionTool = {
			type: 'function',
			name: 'Calculator',
			description: 'Useful for math',
			inputSchema: { zod: true },
		};
		const tools: Tool[] = [
			calculator,
			{ type: 'function', name: 'strict_one', inputSchema: {}, strict: true },
			{ type: 'provider', name: 'web_search_preview' },
		];
		const seen: string[] = [];
		const converted = toAgentTools(tools, (tool) => {
			seen.push(tool.name);
			return tool.name === 'Calculator'
				? { type: 'object', properties: { input: { type: 'string' } } }
				: undefined;
		});
		expect(seen).toEqual(['Calculator', 'strict_one']);
		expect(converted).toEqual([
			{
				type: 'function',
				name: 'Calculator',
				description: 'Useful for math',
				parameters: { type: 'object', properties: { input: { type: 'string' } } },
			},
			{ type: 'function', name: 'strict_one', parameters: { type: 'object' }, strict: true },
		]);
	});
});

describe('Agent API responses to the SDK', () => {
	const tools = new Set(['Calculator', 'weather']);

	test('function calls of offered tools are tool calls; search_web and unknown names are not', () => {
		const response = {
			id: 'resp_1',
			status: 'completed',
			output: [
				{
					type: 'function_call',
					call_id: 'call_s',
					name: 'search_web',
					arguments: '{"queries":[]}',
				},
				{
					type: 'function_call',
					call_id: 'call_1',
					name: 'Calculator',
					arguments: '{"input":"1+1"}',
				},
				{ type: 'function_call', call_id: 'call_2', name: 'weather', arguments: { city: 'Oslo' } },
				{ type: 'function_call', call_id: 'call_3', name: 'not_offered', arguments: '{}' },
				SEARCH_RESULTS,
			],
			usage: { input_tokens: 10, output_tokens: 4, total_tokens: 14 },
		};
		const turn = readAgentTurn(response, tools, true);
		expect(turn.toolCalls).toEqual([
			{ type: 'tool-call', toolCallId: 'call_1', toolName: 'Calculator', input: '{"input":"1+1"}' },
			{ type: 'tool-call', toolCallId: 'call_2', toolName: 'weather', input: '{"city":"Oslo"}' },
		]);
		expect(turn.finishReason).toBe('tool-calls');
		// No answer yet, so no source list either.
		expect(turn.text).toBe('');
		expect(toGenerateResult(response, turn).message).toEqual({
			role: 'assistant',
			content: turn.toolCalls,
		});
	});

	test('an answer gets its numbered sources under it, and they ride along as metadata', () => {
		const response = {
			id: 'resp_2',
			model: 'perplexity/sonar',
			status: 'completed',
			output: [
				SEARCH_RESULTS,
				{
					type: 'message',
					role: 'assistant',
					content: [{ type: 'output_text', text: 'Hyperion is the tallest [1][2].' }],
				},
			],
		};
		const turn = readAgentTurn(response, tools, true);
		expect(turn.text).toBe(
			'Hyperion is the tallest [1][2].\n\nSources:\n' +
				'- [1] Hyperion (tree): https://en.wikipedia.org/wiki/Hyperion_(tree)\n' +
				'- [2] https://www.nps.gov/redw/learn/nature/about-the-trees.htm',
		);
		expect(turn.finishReason).toBe('stop');
		const result = toGenerateResult(response, turn);
		expect(result.id).toBe('resp_2');
		expect(result.message.content).toEqual([{ type: 'text', text: turn.text }]);
		expect(result.providerMetadata).toEqual({
			perplexity: expect.objectContaining({
				responseId: 'resp_2',
				model: 'perplexity/sonar',
				citations: SEARCH_RESULTS.results.map((r) => r.url),
				searchResults: SEARCH_RESULTS.results,
			}),
		});
		expect(readAgentTurn(response, tools, false).text).toBe('Hyperion is the tallest [1][2].');
	});

	test('an answer cut at the token limit finishes with length', () => {
		const response = {
			status: 'incomplete',
			incomplete_details: { reason: 'max_output_tokens' },
			output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hyper' }] }],
		};
		expect(readAgentTurn(response, tools, true).finishReason).toBe('length');
	});

	test('usage: tokens as the SDK counts them, cached and reasoning tokens, cost as metadata', () => {
		expect(
			agentUsage({
				input_tokens: 3007,
				output_tokens: 37,
				total_tokens: 3044,
				input_tokens_details: { cache_read_input_tokens: 3004, cached_tokens: 3004 },
				output_tokens_details: { reasoning_tokens: 5 },
				tool_calls_details: { search_web: { invocation: 1 } },
				cost: { total_cost: 0.00105, currency: 'USD' },
			}),
		).toEqual({
			promptTokens: 3007,
			completionTokens: 37,
			totalTokens: 3044,
			inputTokenDetails: { cacheRead: 3004 },
			outputTokenDetails: { reasoning: 5 },
			additionalMetadata: {
				cost: { total_cost: 0.00105, currency: 'USD' },
				toolCalls: { search_web: { invocation: 1 } },
			},
		});
		expect(agentUsage({ input_tokens: 2, output_tokens: 3 })).toEqual({
			promptTokens: 2,
			completionTokens: 3,
			totalTokens: 5,
		});
		expect(agentUsage(null)).toBeUndefined();
	});

	test('a tool call read from a response goes back out as the same function_call', () => {
		const response = {
			status: 'completed',
			output: [
				{
					type: 'function_call',
					call_id: 'call_9',
					name: 'Calculator',
					arguments: '{"input":"2^10"}',
				},
			],
		};
		const { message } = toGenerateResult(response, readAgentTurn(response, tools, true));
		const [, call] = toAgentInput([text('user', '2^10?'), message]);
		expect(call).toEqual({
			type: 'function_call',
			call_id: 'call_9',
			name: 'Calculator',
			arguments: '{"input":"2^10"}',
		});
	});

	test('results without a URL are left out of the source list; no URL, no list', () => {
		expect(sourcesList([{ id: 1, title: 'No link' }])).toBe('');
		expect(
			sourcesList([{ url: 'https://a.example/x' }, { url: 'https://b.example/y', id: 7 }]),
		).toBe('\n\nSources:\n- [1] https://a.example/x\n- [7] https://b.example/y');
	});
});
