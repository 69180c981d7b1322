import { SseParser } from '../../nodes/PerplexityChat/transport/sse';
import {
	AgentStreamAccumulator,
	SonarStreamAccumulator,
	type StreamAccumulator,
} from '../../nodes/PerplexityChat/transport/streams';

describe('SseParser', () => {
	it('parses events cut at any byte, with LF or CRLF, comments and event lines', () => {
		const text =
			': keep-alive\r\nevent: response.created\r\ndata: {"a":1}\r\n\r\ndata: {"b":\ndata: 2}\n\ndata: [DONE]\n\n';
		for (let cut = 0; cut <= text.length; cut++) {
			const parser = new SseParser();
			const events = [
				...parser.push(text.slice(0, cut)),
				...parser.push(text.slice(cut)),
				...parser.end(),
			];
			expect(events).toEqual([
				{ event: 'response.created', data: '{"a":1}' },
				{ data: '{"b":\n2}' },
				{ data: '[DONE]' },
			]);
		}
	});

	it('keeps a last event that has no blank line after it', () => {
		const parser = new SseParser();
		expect(parser.push('data: {"x":1}')).toEqual([]);
		expect(parser.end()).toEqual([{ data: '{"x":1}' }]);
	});
});

function feed(accumulator: StreamAccumulator, payloads: unknown[]) {
	const deltas: string[] = [];
	for (const payload of payloads) {
		const delta = accumulator.accept({
			data: typeof payload === 'string' ? payload : JSON.stringify(payload),
		});
		if (delta) deltas.push(delta);
	}
	return { deltas, result: accumulator.finish() };
}

const finalResponse = {
	id: 'resp_1',
	status: 'completed',
	model: 'perplexity/sonar',
	output: [
		{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello world' }] },
	],
	usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
};

describe('AgentStreamAccumulator', () => {
	it('forwards deltas and returns the terminal response, despite sequence gaps and unknown events', () => {
		const { deltas, result } = feed(new AgentStreamAccumulator(), [
			{
				type: 'response.created',
				sequence_number: 0,
				response: { id: 'resp_1', status: 'in_progress' },
			},
			{ type: 'response.mystery', sequence_number: 3 },
			{ type: 'response.output_text.delta', sequence_number: 7, delta: 'Hello' },
			{ type: 'response.output_text.delta', sequence_number: 9, delta: ' world' },
			{ type: 'response.completed', sequence_number: 12, response: finalResponse },
		]);
		expect(deltas).toEqual(['Hello', ' world']);
		expect(result).toEqual({ body: finalResponse });
	});

	it.each(['response.failed', 'response.incomplete', 'response.cancelled'])(
		'ends on %s too',
		(type) => {
			const response = { ...finalResponse, status: type.slice('response.'.length) };
			expect(feed(new AgentStreamAccumulator(), [{ type, response }]).result).toEqual({
				body: response,
			});
		},
	);

	it('rebuilds the output from the stream when the terminal event has none', () => {
		const { result } = feed(new AgentStreamAccumulator(), [
			{ type: 'response.reasoning.search_results', results: [{ id: 1, url: 'https://a.org' }] },
			{ type: 'response.output_text.delta', delta: 'Hi' },
			{ type: 'response.completed', response: { id: 'r', status: 'completed', output: [] } },
		]);
		expect(result).toEqual({
			body: {
				id: 'r',
				status: 'completed',
				output: [
					{ type: 'search_results', results: [{ id: 1, url: 'https://a.org' }] },
					{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] },
				],
			},
		});
	});

	it('is a failure, not a half answer, when the stream stops early', () => {
		const { deltas, result } = feed(new AgentStreamAccumulator(), [
			{ type: 'response.output_text.delta', delta: 'Half an ans' },
		]);
		expect(deltas).toEqual(['Half an ans']);
		expect(result).toEqual({
			failure: {
				kind: 'stream',
				message: 'The stream ended before the answer was complete (no final response event)',
				retryable: true,
			},
		});
	});

	it('reports a bare error event and a malformed event', () => {
		expect(
			feed(new AgentStreamAccumulator(), [
				{ type: 'error', error: { message: 'boom', type: 'internal_error' } },
			]).result,
		).toMatchObject({
			failure: { kind: 'stream', message: 'boom', type: 'internal_error' },
		});
		expect(feed(new AgentStreamAccumulator(), ['{not json']).result).toMatchObject({
			failure: { kind: 'malformed' },
		});
	});
});

describe('SonarStreamAccumulator', () => {
	const chunk = (content: string, extra: object = {}) => ({
		id: 'c1',
		model: 'sonar',
		created: 5,
		object: 'chat.completion.chunk',
		choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }],
		...extra,
	});

	it('joins deltas and takes citations and usage from the done chunk, with or without [DONE]', () => {
		for (const withDone of [true, false]) {
			const payloads: unknown[] = [
				chunk('Hel'),
				chunk('lo'),
				{
					id: 'c1',
					model: 'sonar',
					created: 5,
					object: 'chat.completion.done',
					citations: ['https://a.org'],
					search_results: [{ title: 'A', url: 'https://a.org' }],
					usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
					choices: [
						{
							index: 0,
							finish_reason: 'stop',
							message: { role: 'assistant', content: 'Hello' },
							delta: { content: '' },
						},
					],
				},
			];
			if (withDone) payloads.push('[DONE]');
			const { deltas, result } = feed(new SonarStreamAccumulator(), payloads);
			expect(deltas).toEqual(['Hel', 'lo']);
			expect(result).toEqual({
				body: {
					id: 'c1',
					model: 'sonar',
					created: 5,
					citations: ['https://a.org'],
					search_results: [{ title: 'A', url: 'https://a.org' }],
					usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
					object: 'chat.completion',
					choices: [
						{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello' } },
					],
				},
			});
		}
	});

	it('is complete on a finish reason alone, and a failure without one', () => {
		const finished = feed(new SonarStreamAccumulator(), [
			chunk('Hi'),
			{ ...chunk(''), choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
		]);
		expect(finished.result).toMatchObject({
			body: { choices: [{ finish_reason: 'length', message: { content: 'Hi' } }] },
		});
		expect(feed(new SonarStreamAccumulator(), [chunk('Hi')]).result).toMatchObject({
			failure: { kind: 'stream', retryable: true },
		});
	});
});
