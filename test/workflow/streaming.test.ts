import type { IDataObject } from 'n8n-workflow';

import { chat, completions, expectNoKey, itemsOf, model, runChat, useSandbox } from './support';

const env = useSandbox();

const answerOf = (json: IDataObject) =>
	((json.choices as IDataObject[])[0].message as IDataObject).content as string;

/** The parts of an answer that must not depend on how it was received. */
const essence = (json: IDataObject) => ({
	model: json.model,
	object: json.object,
	content: answerOf(json),
	finish_reason: (json.choices as IDataObject[])[0].finish_reason,
	citations: json.citations,
	search_results: json.search_results,
	usage: json.usage,
});

describe('Stream Response gives the same output as a plain request', () => {
	it.each([
		['agent', 'sonar'],
		['agent', 'fast'],
		['sonar', 'sonar-pro'],
		['sonar', 'sonar-reasoning-pro'],
	])('on the %s API with %s', async (api, name) => {
		const { sandbox } = env;
		const plain = await runChat(sandbox, chat({ api, model: model(name) }));
		const streamed = await runChat(
			sandbox,
			chat({ api, model: model(name), requestOptions: { stream: true } }),
		);
		expect(plain.error).toBeUndefined();
		expect(streamed.error).toBeUndefined();
		expect(essence(streamed.items[0].json)).toEqual(essence(plain.items[0].json));
		expect(completions(sandbox).map((request) => request.stream)).toEqual([false, true]);
		expect(streamed.chunks).toEqual([]);
	});

	it('reads Agent streams (event: lines always) and Sonar streams without [DONE]', async () => {
		const { sandbox } = env;
		sandbox.configure({ sonarDone: false });
		for (const api of ['agent', 'sonar']) {
			const result = await runChat(sandbox, chat({ api, requestOptions: { stream: true } }));
			expect(result.error).toBeUndefined();
			expect(answerOf(result.items[0].json)).toContain('What is new in fusion energy?');
		}
	});

	it('keeps structured output and think blocks working when streamed', async () => {
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
							schema: '{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}',
						},
					},
				},
				requestOptions: { stream: true },
			}),
		);
		expect(result.items[0].json.parsed).toEqual({ n: expect.any(Number) });
		expect(result.items[0].json.reasoning).toEqual(expect.any(String));
	});
});

describe('forwarding to a streaming caller (Webhook or Chat Trigger in streaming mode)', () => {
	it('streams by itself when the caller streams, and forwards the text as it arrives', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat(), { streaming: true });
		expect(result.error).toBeUndefined();
		expect(completions(sandbox)[0].stream).toBe(true);
		const types = result.chunks.map((chunk) => chunk.type);
		expect(types[0]).toBe('begin');
		expect(types[types.length - 1]).toBe('end');
		const text = result.chunks
			.filter((chunk) => chunk.type === 'item')
			.map((chunk) => chunk.content);
		expect(text.length).toBeGreaterThan(1);
		expect(text.join('')).toBe(answerOf(result.items[0].json));
		expectNoKey(result);
	});

	it('answers items one at a time so that their texts do not mix', async () => {
		const { sandbox } = env;
		const result = await runChat(
			sandbox,
			chat({ prompt: '={{ $json.q }}', requestOptions: { concurrency: 5 } }),
			{
				streaming: true,
				items: itemsOf(3, (index) => ({ q: `Question number ${index}?` })),
			},
		);
		expect(result.error).toBeUndefined();
		const order = result.chunks.map((chunk) => `${chunk.type}:${chunk.itemIndex}`);
		const firstOf = (index: number) => order.indexOf(`begin:${index}`);
		const lastOf = (index: number) => order.lastIndexOf(`end:${index}`);
		expect(lastOf(0)).toBeLessThan(firstOf(1));
		expect(lastOf(1)).toBeLessThan(firstOf(2));
		for (const index of [0, 1, 2]) {
			const text = result.chunks.filter(
				(chunk) => chunk.type === 'item' && chunk.itemIndex === index,
			);
			expect(text.map((chunk) => chunk.content).join('')).toBe(answerOf(result.items[index].json));
		}
	});

	it('does not stream when Stream Response is turned off', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat({ requestOptions: { stream: false } }), {
			streaming: true,
		});
		expect(result.error).toBeUndefined();
		expect(completions(sandbox)[0].stream).toBe(false);
		expect(result.chunks).toEqual([]);
	});

	it('does not retry a stream whose text already reached the caller, and closes it with the error', async () => {
		const { sandbox } = env;
		const result = await runChat(
			sandbox,
			chat({ prompt: 'Cut me off [[sandbox:stream_cut times=1]]' }),
			{
				streaming: true,
				continueOnFail: true,
			},
		);
		expect(completions(sandbox)).toHaveLength(1);
		expect(result.items[0].json.error).toBe(
			'The stream ended before the answer was complete (no final response event) [item 0]',
		);
		const last = result.chunks[result.chunks.length - 1];
		expect(last).toEqual({ type: 'error', itemIndex: 0, content: result.items[0].json.error });
		expect(result.chunks.some((chunk) => chunk.type === 'item')).toBe(true);
	});

	it('still retries a stream that failed before any text', async () => {
		const { sandbox } = env;
		const result = await runChat(
			sandbox,
			chat({ prompt: 'Busy [[sandbox:rate_limit times=1 retryAfterMs=10]]' }),
			{
				streaming: true,
			},
		);
		expect(result.error).toBeUndefined();
		expect(completions(sandbox).map((request) => request.status)).toEqual([429, 200]);
		expect(result.chunks.filter((chunk) => chunk.type === 'begin')).toHaveLength(1);
	});
});
