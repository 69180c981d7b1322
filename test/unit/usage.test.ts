import type { IDataObject } from 'n8n-workflow';

import {
	mapAgentResponse,
	normalizeSonarResponse,
	simplifyCompletion,
} from '../../nodes/PerplexityChat/helpers/responses';
import {
	AgentStreamAccumulator,
	SonarStreamAccumulator,
	type StreamAccumulator,
} from '../../nodes/PerplexityChat/transport/streams';
import { readChunks, readRecording } from '../helpers/recordings';

/**
 * Usage as the real APIs send it (shared/reference/recordings) reaches the output whole: the
 * meanings both APIs share under one name (the chat completion's), everything else as it came.
 */

function streamed(accumulator: StreamAccumulator, file: string): IDataObject {
	for (const line of readChunks(file)) accumulator.accept({ data: line });
	const result = accumulator.finish();
	if (!('body' in result)) throw new Error(`the recorded stream failed: ${result.failure.message}`);
	return result.body;
}

const lastChunkUsage = (file: string) =>
	(JSON.parse(readChunks(file).at(-1) as string) as IDataObject).usage;

describe('Agent API usage, from the recorded web-search run', () => {
	const recorded = readRecording('vercel-agent-web-search.json');

	it('keeps cached tokens, tool calls and every cost, under the chat-completion names', () => {
		expect(mapAgentResponse(recorded).usage).toEqual({
			prompt_tokens: 3007,
			completion_tokens: 36,
			total_tokens: 3043,
			prompt_tokens_details: {
				cache_creation_input_tokens: 1224,
				cache_read_input_tokens: 1780,
				cached_tokens: 1780,
			},
			reasoning_tokens: 0,
			tool_calls_details: { search_web: { cost_usd: 0.001, invocation: 1 } },
			cost: {
				input_tokens_cost: 0,
				output_tokens_cost: 0.00002,
				cache_creation_cost: 0.00015,
				cache_read_cost: 0.00002,
				tool_calls_cost: 0.001,
				tool_calls_cost_details: { search_web: 0.001 },
				total_cost: 0.00119,
				currency: 'USD',
			},
		});
	});

	it('gives Simplify Output the same usage', () => {
		const completion = mapAgentResponse(recorded);
		expect(simplifyCompletion(completion).usage).toEqual(completion.usage);
	});

	it('keeps the usage of the streamed run, from its terminal event', () => {
		const body = streamed(new AgentStreamAccumulator(), 'vercel-agent-web-search.chunks.txt');
		const { usage } = mapAgentResponse(body);
		expect(usage).toMatchObject({
			prompt_tokens: 3007,
			completion_tokens: 37,
			total_tokens: 3044,
			prompt_tokens_details: { cache_read_input_tokens: 3004, cached_tokens: 3004 },
			reasoning_tokens: 0,
			tool_calls_details: { search_web: { cost_usd: 0.001, invocation: 1 } },
			cost: {
				input_tokens_cost: 0,
				output_tokens_cost: 0.00002,
				cache_read_cost: 0.00003,
				tool_calls_cost_details: { search_web: 0.001 },
				total_cost: 0.00105,
				currency: 'USD',
			},
		});
		expect(usage).not.toHaveProperty('input_tokens');
		expect(usage).not.toHaveProperty('output_tokens_details');
	});

	it('keeps fields it does not know, and other output details', () => {
		const { usage } = mapAgentResponse({
			status: 'completed',
			output: [],
			usage: {
				input_tokens: 1,
				output_tokens: 2,
				output_tokens_details: { reasoning_tokens: 1, audio_tokens: 0 },
				future_tokens: 7,
				cost: { input_cost: 1, discount: 0.5 },
			},
		});
		expect(usage).toEqual({
			prompt_tokens: 1,
			completion_tokens: 2,
			total_tokens: 3,
			reasoning_tokens: 1,
			completion_tokens_details: { audio_tokens: 0 },
			future_tokens: 7,
			cost: { input_tokens_cost: 1, discount: 0.5 },
		});
	});
});

describe('Sonar usage, from the recorded live responses', () => {
	it('keeps every field of the live usage block', () => {
		const recorded = readRecording('vercel-sonar-usage-raw-live.json');
		expect(normalizeSonarResponse(recorded).usage).toEqual({
			prompt_tokens: 6,
			completion_tokens: 1,
			total_tokens: 7,
			search_context_size: 'low',
			cost: {
				input_tokens_cost: 0.00001,
				output_tokens_cost: 0,
				request_cost: 0.005,
				total_cost: 0.00501,
			},
		});
	});

	it.each([
		'vercel-sonar-usage-raw-live.chunks.txt',
		'vercel-sonar-perplexity-citations.chunks.txt',
		'vercel-sonar-perplexity-text.chunks.txt',
	])('keeps the final usage of the stream %s', (file) => {
		const body = streamed(new SonarStreamAccumulator(), file);
		const completion = normalizeSonarResponse(body);
		expect(completion.usage).toEqual(lastChunkUsage(file));
		expect(simplifyCompletion(completion).usage).toEqual(completion.usage);
	});
});

describe('one name per meaning on both APIs', () => {
	const paths = (usage: IDataObject, prefix = ''): string[] =>
		Object.entries(usage).flatMap(([key, value]) =>
			value !== null && typeof value === 'object' && !Array.isArray(value)
				? paths(value as IDataObject, `${prefix}${key}.`)
				: [`${prefix}${key}`],
		);

	it('tokens in and out, their total and the input, output and total cost', () => {
		const agent = paths(mapAgentResponse(readRecording('vercel-agent-web-search.json')).usage);
		const sonar = paths(
			normalizeSonarResponse(readRecording('vercel-sonar-usage-raw-live.json')).usage,
		);
		const shared = [
			'prompt_tokens',
			'completion_tokens',
			'total_tokens',
			'cost.input_tokens_cost',
			'cost.output_tokens_cost',
			'cost.total_cost',
		];
		expect(agent).toEqual(expect.arrayContaining(shared));
		expect(sonar).toEqual(expect.arrayContaining(shared));
	});
});
