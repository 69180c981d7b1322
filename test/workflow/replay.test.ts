import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { readEvents, readRecording, recordingFiles, recordingPath } from '../helpers/recordings';
import type { FaultRule } from '../sandbox/server';
import { chat, model, runChat, useSandbox } from './support';

/**
 * Real recorded Perplexity traffic (shared/reference/recordings/), served byte for byte by the
 * sandbox's replay fault, through the built node in n8n's engine. What the node makes of it must
 * be what the recording says: the text, the citation URLs in order, the token counts. Every
 * stream is also served cut at random byte boundaries and with CRLF line endings.
 *
 * Only text, citations and tokens are asserted; the rest of usage (cache, tool calls, cost) is
 * the mapping's business and has its own tests.
 */

// Recordings are arbitrary JSON, read field by field.
type Json = any;
const recorded = (name: string): Json => readRecording(name);
const recordedEvents = (name: string): Json[] => readEvents(name);

const env = useSandbox();

const SEEDS = [1, 2, 3, 42];

type Kind = 'agent' | 'agent-stream' | 'sonar' | 'sonar-stream' | 'requests';

/** What a recording is, read from its content rather than its name. */
function kindOf(name: string): Kind | undefined {
	if (name.endsWith('.chunks.txt')) {
		const [first] = recordedEvents(name);
		if (typeof first?.type === 'string' && first.type.startsWith('response.')) {
			return 'agent-stream';
		}
		return first?.object === 'chat.completion.chunk' ? 'sonar-stream' : undefined;
	}
	const body = recorded(name);
	if (Array.isArray(body)) return body.every((r) => r.uri && r.body) ? 'requests' : undefined;
	if (body.object === 'response') return 'agent';
	return body.object === 'chat.completion' ? 'sonar' : undefined;
}

const files = recordingFiles();
const byKind = (kind: Kind) => files.filter((name) => kindOf(name) === kind);

interface Expected {
	text: string;
	citations: string[];
	tokens: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** An Agent response as the recording says it should read. */
function agentExpected(response: Json): Expected {
	const text = response.output
		.filter((item: Json) => item.type === 'message')
		.flatMap((item: Json) => item.content)
		.filter((part: Json) => part.type === 'output_text')
		.map((part: Json) => part.text)
		.join('');
	const citations = response.output
		.filter((item: Json) => item.type === 'search_results')
		.flatMap((item: Json) => item.results.map((result: Json) => result.url));
	const { input_tokens, output_tokens, total_tokens } = response.usage;
	return {
		text,
		citations,
		tokens: {
			prompt_tokens: input_tokens,
			completion_tokens: output_tokens,
			total_tokens,
		},
	};
}

function sonarTokens(usage: Json): Expected['tokens'] {
	const { prompt_tokens, completion_tokens, total_tokens } = usage;
	return { prompt_tokens, completion_tokens, total_tokens };
}

const parameters = (api: 'agent' | 'sonar', stream: boolean): INodeParameters =>
	chat({ api, model: model('sonar'), ...(stream ? { requestOptions: { stream: true } } : {}) });

/** Runs the node once with the sandbox replaying; the one output item's JSON. */
async function replayed(
	api: 'agent' | 'sonar',
	stream: boolean,
	replay: Omit<FaultRule, 'fault'>,
): Promise<IDataObject> {
	const { sandbox } = env;
	sandbox.reset();
	sandbox.addFault({ fault: 'replay', times: 1, ...replay });
	const result = await runChat(sandbox, parameters(api, stream));
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(1);
	const [request] = sandbox.requests();
	expect(request).toMatchObject({ fault: 'replay', status: 200, stream });
	return result.items[0].json;
}

function expectMapped(json: IDataObject, expected: Expected) {
	const [choice] = json.choices as IDataObject[];
	expect((choice.message as IDataObject).content).toBe(expected.text);
	expect(json.citations).toEqual(expected.citations);
	const usage = json.usage as IDataObject;
	expect({
		prompt_tokens: usage.prompt_tokens,
		completion_tokens: usage.completion_tokens,
		total_tokens: usage.total_tokens,
	}).toEqual(expected.tokens);
}

describe('recorded traffic through the node', () => {
	it('knows what every recording is', () => {
		expect(files.length).toBeGreaterThan(0);
		expect(files.filter((name) => kindOf(name) === undefined)).toEqual([]);
		for (const kind of ['agent', 'agent-stream', 'sonar', 'sonar-stream', 'requests'] as const) {
			expect({ kind, found: byKind(kind).length > 0 }).toEqual({ kind, found: true });
		}
	});

	describe.each(byKind('agent'))('Agent API body %s', (name) => {
		it('maps to the recorded text, citations and tokens', async () => {
			const json = await replayed('agent', false, { file: recordingPath(name) });
			expectMapped(json, agentExpected(recorded(name)));
		});
	});

	describe.each(byKind('agent-stream'))('Agent API stream %s', (name) => {
		const events = recordedEvents(name);
		const completed = events.find((e) => e.type === 'response.completed').response;

		it('reads like its completed response served as a plain body', async () => {
			const streamed = await replayed('agent', true, { file: recordingPath(name) });
			const plain = await replayed('agent', false, { body: completed });
			expect(streamed).toEqual(plain);
			const expected = agentExpected(completed);
			expectMapped(streamed, expected);
			// the deltas and the done event tell the same text
			const deltas = events.filter((e) => e.type === 'response.output_text.delta');
			expect(deltas.map((e) => e.delta).join('')).toBe(expected.text);
		});

		it.each(SEEDS)('reads the same when cut at random bytes (seed %i)', async (splitSeed) => {
			const plain = await replayed('agent', false, { body: completed });
			const split = await replayed('agent', true, { file: recordingPath(name), splitSeed });
			expect(split).toEqual(plain);
		});

		it('reads the same with CRLF line endings, also cut at random bytes', async () => {
			const plain = await replayed('agent', false, { body: completed });
			const crlf = await replayed('agent', true, { file: recordingPath(name), crlf: true });
			expect(crlf).toEqual(plain);
			const both = await replayed('agent', true, {
				file: recordingPath(name),
				crlf: true,
				splitSeed: 9,
			});
			expect(both).toEqual(plain);
		});
	});

	describe.each(byKind('sonar'))('Sonar body %s', (name) => {
		it('maps to the recorded text, citations and tokens', async () => {
			const body = recorded(name);
			const json = await replayed('sonar', false, { file: recordingPath(name) });
			expectMapped(json, {
				text: body.choices[0].message.content,
				// a recording without citations (no search) must map to none
				citations: body.citations ?? [],
				tokens: sonarTokens(body.usage),
			});
		});
	});

	describe.each(byKind('sonar-stream'))('Sonar stream %s', (name) => {
		const chunks = recordedEvents(name);
		const last = chunks[chunks.length - 1];
		// The chunk files hold the first and last chunks only: the text is what their deltas say.
		const expected: Expected = {
			text: chunks.map((c) => c.choices[0].delta.content).join(''),
			citations: last.citations ?? [],
			tokens: sonarTokens(last.usage),
		};

		it('maps to the text of its deltas and the final citations and tokens', async () => {
			const json = await replayed('sonar', true, { file: recordingPath(name) });
			expectMapped(json, expected);
			expect((json.choices as IDataObject[])[0].finish_reason).toBe(last.choices[0].finish_reason);
		});

		it.each(SEEDS)('reads the same when cut at random bytes (seed %i)', async (splitSeed) => {
			const plain = await replayed('sonar', true, { file: recordingPath(name) });
			const split = await replayed('sonar', true, { file: recordingPath(name), splitSeed });
			expect(split).toEqual(plain);
			expectMapped(split, expected);
		});

		it('reads the same with CRLF line endings, also cut at random bytes', async () => {
			const plain = await replayed('sonar', true, { file: recordingPath(name) });
			for (const splitSeed of [undefined, 9]) {
				const crlf = await replayed('sonar', true, {
					file: recordingPath(name),
					crlf: true,
					splitSeed,
				});
				expect(crlf).toEqual(plain);
			}
		});
	});

	describe.each(byKind('requests'))('recorded requests %s', (name) => {
		it('are each accepted by the strict sandbox', async () => {
			const { sandbox } = env;
			const requests: Array<{ uri: string; status: number; body: Json }> = recorded(name);
			for (const { uri, status, body } of requests) {
				const res = await fetch(sandbox.url + new URL(uri).pathname, {
					method: 'POST',
					headers: {
						authorization: `Bearer ${sandbox.apiKey}`,
						'content-type': 'application/json',
					},
					body: JSON.stringify(body),
				});
				await res.text();
				expect({ body, status: res.status }).toEqual({ body, status });
			}
		});
	});
});
