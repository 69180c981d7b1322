import type { IDataObject } from 'n8n-workflow';

import {
	completionOutput,
	finishCompletion,
	mapAgentResponse,
	normalizeSonarResponse,
} from '../../nodes/PerplexityChat/helpers/responses';

const agentResponse = (overrides: IDataObject = {}): IDataObject => ({
	id: 'resp_abc',
	object: 'response',
	created_at: 1795860000,
	completed_at: 1795860004,
	status: 'completed',
	model: 'perplexity/sonar',
	output: [
		{
			type: 'search_results',
			queries: ['fusion 2026'],
			results: [
				{ id: 1, url: 'https://www.nature.com/a', title: 'A', snippet: 's1', source: 'web' },
				{ id: 2, url: 'https://www.iter.org/b', title: 'B', snippet: 's2', source: 'web' },
			],
		},
		{
			type: 'message',
			role: 'assistant',
			status: 'completed',
			content: [
				{ type: 'output_text', text: 'Fusion advanced [1]. ', annotations: [] },
				{ type: 'output_text', text: 'ITER too [2].', annotations: [] },
			],
		},
		{ type: 'search_results', results: [{ id: 3, url: 'https://www.science.org/c', title: 'C' }] },
		{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: ' More.' }] },
	],
	usage: {
		input_tokens: 12,
		output_tokens: 30,
		total_tokens: 42,
		output_tokens_details: { reasoning_tokens: 5 },
		cost: { input_cost: 0.001, output_cost: 0.002, total_cost: 0.003, currency: 'USD' },
	},
	error: null,
	...overrides,
});

describe('mapAgentResponse', () => {
	it("gives the seed's chat completion: all text parts joined, citations from all search results", () => {
		expect(mapAgentResponse(agentResponse())).toEqual({
			id: 'resp_abc',
			model: 'perplexity/sonar',
			object: 'chat.completion',
			created: 1795860000,
			citations: [
				'https://www.nature.com/a',
				'https://www.iter.org/b',
				'https://www.science.org/c',
			],
			search_results: [
				{ id: 1, url: 'https://www.nature.com/a', title: 'A', snippet: 's1', source: 'web' },
				{ id: 2, url: 'https://www.iter.org/b', title: 'B', snippet: 's2', source: 'web' },
				{ id: 3, url: 'https://www.science.org/c', title: 'C' },
			],
			choices: [
				{
					index: 0,
					finish_reason: 'stop',
					message: { role: 'assistant', content: 'Fusion advanced [1]. ITER too [2]. More.' },
				},
			],
			usage: {
				prompt_tokens: 12,
				completion_tokens: 30,
				total_tokens: 42,
				reasoning_tokens: 5,
				cost: {
					input_tokens_cost: 0.001,
					output_tokens_cost: 0.002,
					total_cost: 0.003,
					currency: 'USD',
				},
			},
		});
	});

	it('maps incomplete (max_output_tokens) to length, and other reasons to themselves', () => {
		const length = mapAgentResponse(
			agentResponse({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }),
		);
		expect(length.choices[0].finish_reason).toBe('length');
		const filtered = mapAgentResponse(
			agentResponse({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } }),
		);
		expect(filtered.choices[0].finish_reason).toBe('content_filter');
	});

	it('copes with a response that has no search results or usage', () => {
		const bare = mapAgentResponse({ id: 'r', status: 'completed', model: 'm', output: [] });
		expect(bare.citations).toEqual([]);
		expect(bare.choices[0].message.content).toBe('');
		expect(bare.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
	});
});

describe('normalizeSonarResponse', () => {
	it('keeps the Sonar body and its optional images and related questions', () => {
		const sonar = {
			id: 'c1',
			model: 'sonar',
			object: 'chat.completion',
			created: 1,
			citations: ['https://a.org'],
			search_results: [{ title: 'A', url: 'https://a.org' }],
			images: [{ image_url: 'https://a.org/x.png' }],
			related_questions: ['Why?'],
			choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hi' } }],
			usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
		};
		expect(normalizeSonarResponse(sonar)).toEqual(sonar);
	});

	it('fills the seed fields a compatible endpoint left out', () => {
		const result = normalizeSonarResponse({
			id: 'x',
			model: 'm',
			created: 2,
			choices: [{ message: { role: 'assistant', content: 'ok' } }],
		});
		expect(result).toMatchObject({
			object: 'chat.completion',
			citations: [],
			search_results: [],
			usage: {},
		});
		expect(result.choices[0]).toEqual({
			index: 0,
			finish_reason: null,
			message: { role: 'assistant', content: 'ok' },
		});
	});
});

describe('finishCompletion', () => {
	const completion = (content: string, finish = 'stop') =>
		normalizeSonarResponse({
			id: 'x',
			model: 'sonar-reasoning-pro',
			created: 1,
			choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content } }],
		});

	it('moves a <think> block to reasoning', () => {
		const result = completion('<think>\nLet me check.\n</think>\n\nThe answer.');
		expect(finishCompletion(result, false)).toBeUndefined();
		expect(result.choices[0].message).toEqual({
			role: 'assistant',
			content: 'The answer.',
			reasoning: 'Let me check.',
		});
	});

	it('parses structured output after a think block and inside a code fence', () => {
		const afterThink = completion('<think>plan</think>{"answer": 42}');
		expect(finishCompletion(afterThink, true)).toBeUndefined();
		expect(afterThink.choices[0].message.parsed).toEqual({ answer: 42 });

		const fenced = completion('```json\n{"answer": "yes"}\n```');
		finishCompletion(fenced, true);
		expect(fenced.choices[0].message.parsed).toEqual({ answer: 'yes' });
	});

	it('reports an answer that should be JSON and is not', () => {
		expect(finishCompletion(completion('Sorry, no.'), true)).toBe('Sorry, no.');
	});

	it('does not insist on JSON from a cut-off answer', () => {
		expect(finishCompletion(completion('{"answer": "lo', 'length'), true)).toBeUndefined();
	});
});

describe('completionOutput', () => {
	it('simplifies to a flat object and adds the raw body on request', () => {
		const raw = agentResponse();
		const completion = mapAgentResponse(raw);
		const output = completionOutput(completion, raw, {
			simplify: true,
			includeRawResponse: true,
			expectJson: false,
		});
		expect(output).toEqual({
			id: 'resp_abc',
			model: 'perplexity/sonar',
			content: 'Fusion advanced [1]. ITER too [2]. More.',
			citations: completion.citations,
			search_results: completion.search_results,
			finish_reason: 'stop',
			usage: completion.usage,
			raw_response: raw,
		});
	});
});
