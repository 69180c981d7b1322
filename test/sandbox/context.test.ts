/**
 * What the sandbox makes of context beyond the text of the question: images (Agent `input_image`,
 * Sonar `image_url` parts) and conversations continued with `previous_response_id`. Over real
 * HTTP, as the node talks to it.
 */
import { createHash } from 'crypto';

import { startSandbox, type Sandbox } from './server';

// Replies are checked field by field; typing every wire shape here would restate the assertions.
type Json = any;

const KEY = 'test-key';
let sb: Sandbox;

beforeAll(async () => {
	sb = await startSandbox({ apiKey: KEY, backgroundMs: 150 });
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => sb.reset());

async function post(
	route: string,
	body: Json,
): Promise<{ status: number; json: Json; text: string }> {
	const res = await fetch(sb.url + route, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	let json: Json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined; // a stream
	}
	return { status: res.status, json, text };
}

const agent = (body: Json) => post('/v1/agent', body);
const sonar = (body: Json) => post('/chat/completions', body);

const agentText = (response: Json): string =>
	response.output
		.filter((o: Json) => o.type === 'message')
		.flatMap((o: Json) => o.content)
		.map((c: Json) => c.text)
		.join('');

/** A 1×1 PNG, as Perplexity's docs send one: base64 in a data URI. */
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
	'base64',
);
const dataUri = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

const agentImage = (url: Json, extra: Json = {}) =>
	agent({
		model: 'openai/gpt-5.1',
		input: [
			{
				role: 'user',
				content: [
					{ type: 'input_text', text: 'What is in this picture?' },
					{ type: 'input_image', image_url: url, ...extra },
				],
			},
		],
	});

const sonarImage = (imageUrl: Json) =>
	sonar({
		model: 'sonar',
		messages: [
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'What is in this picture?' },
					{ type: 'image_url', image_url: imageUrl },
				],
			},
		],
	});

/** Perplexity's error envelope, with the status as code and the field as param. */
function expectRefused(
	r: { status: number; json: Json },
	status: number,
	type: string,
	param = 'image_url',
) {
	expect([r.status, r.json.error.type, r.json.error.code, r.json.error.param]).toEqual([
		status,
		type,
		status,
		param,
	]);
}

describe('images in the question', () => {
	it('Agent: a data URI is decoded, and the answer names its type, size and hash', async () => {
		const r = await agentImage(dataUri('image/png', PNG));
		expect(r.status).toBe(200);
		expect(agentText(r.json)).toContain(
			`You attached a PNG image of ${PNG.length} bytes (SHA-256 ${sha(PNG)})`,
		);
		expect(agentText(r.json)).toContain('You asked: "What is in this picture?"');
	});

	it('Agent: an HTTPS URL is taken as it is (the sandbox fetches nothing)', async () => {
		const r = await agentImage('https://example.com/chart.png');
		expect(r.status).toBe(200);
		expect(agentText(r.json)).toContain('You attached the image at https://example.com/chart.png');
	});

	it.each([
		['a type the docs do not list', dataUri('image/bmp', PNG)],
		['bytes that are not the declared type', dataUri('image/gif', PNG)],
		['broken base64', 'data:image/png;base64,iVBOR*w0K'],
		['a plain http URL', 'http://example.com/chart.png'],
		['something else', 'chart.png'],
		['an Agent image URL over 2048 characters', `https://example.com/${'a'.repeat(2040)}.png`],
	])('Agent: refuses %s with a 400 naming image_url', async (_name, url) => {
		expectRefused(await agentImage(url), 400, 'invalid_parameter');
	});

	it('Agent: the 2048-character limit is for addresses, not for data URIs', async () => {
		const big = Buffer.concat([PNG, Buffer.alloc(4000)]);
		expect(dataUri('image/png', big).length).toBeGreaterThan(2048);
		const r = await agentImage(dataUri('image/png', big));
		expect(r.status).toBe(200);
		expect(agentText(r.json)).toContain(`of ${big.length} bytes`);
	});

	it('Agent: an unknown field in an image part is refused like any unknown field', async () => {
		const r = await agentImage('https://example.com/chart.png', { detail: 'auto' });
		expect(r.status).toBe(400);
		expect(r.json.error).toMatchObject({ type: 'invalid_request', param: 'detail' });
		expect(r.json.error.message).toBe('invalid request body: json: unknown field "detail"');
	});

	it('Sonar: takes {url} and a bare string, as the SDK types image_url', async () => {
		for (const imageUrl of [{ url: dataUri('image/png', PNG) }, dataUri('image/png', PNG)]) {
			const r = await sonarImage(imageUrl);
			expect(r.status).toBe(200);
			expect(r.json.choices[0].message.content).toContain(
				`You attached a PNG image of ${PNG.length} bytes (SHA-256 ${sha(PNG)})`,
			);
		}
		const byUrl = await sonarImage({ url: `https://example.com/${'a'.repeat(3000)}.png` });
		expect(byUrl.status).toBe(200);
	});

	it('Sonar: a wrongly shaped image_url is a 422, a bad image a 400', async () => {
		const wrong = await sonarImage(5);
		expect(wrong.status).toBe(422);
		expect(wrong.json.detail.map((d: Json) => d.loc.slice(-2))).toEqual([
			['image_url', 'URL'],
			['image_url', 'str'],
		]);
		const missing = await sonar({
			model: 'sonar',
			messages: [{ role: 'user', content: [{ type: 'image_url' }] }],
		});
		expect(missing.status).toBe(422);
		expect(missing.json.detail[0]).toMatchObject({ type: 'missing' });
		expectRefused(await sonarImage({ url: dataUri('image/webp', PNG) }), 400, 'invalid_parameter');
	});
});

describe('conversations continued with previous_response_id', () => {
	const ask = (input: string, previous?: string, extra: Json = {}) =>
		agent({
			model: 'openai/gpt-5.1',
			input,
			...(previous ? { previous_response_id: previous } : {}),
			...extra,
		});

	it('a chain of three: each answer names the questions before it, and reads them as input', async () => {
		const first = await ask('Which moon of Saturn is the largest?');
		const second = await ask('How thick is its atmosphere?', first.json.id);
		const third = await ask('Could people breathe it?', second.json.id);
		for (const r of [first, second, third]) expect(r.status).toBe(200);

		expect(agentText(first.json)).not.toContain('continues the conversation');
		expect(agentText(second.json)).toContain(
			'This continues the conversation in which you asked "Which moon of Saturn is the largest?".',
		);
		expect(agentText(third.json)).toContain(
			'in which you asked "Which moon of Saturn is the largest?", then "How thick is its atmosphere?".',
		);
		expect(second.json.previous_response_id).toBe(first.json.id);
		expect(first.json.previous_response_id).toBeNull();
		const input = [first, second, third].map((r) => r.json.usage.input_tokens);
		expect(input[1]).toBeGreaterThan(input[0]);
		expect(input[2]).toBeGreaterThan(input[1]);
	});

	it('a response made with store: false, or streamed, can still be continued (SDK)', async () => {
		const unstored = await ask('What is a nebula?', undefined, { store: false });
		expect((await ask('How big?', unstored.json.id)).status).toBe(200);

		const streamed = await ask('What is a pulsar?', undefined, { stream: true });
		const id = /"id":"(resp_[^"]+)"/.exec(streamed.text)?.[1];
		const next = await ask('How fast does it spin?', id);
		expect(agentText(next.json)).toContain('you asked "What is a pulsar?"');
	});

	it('an unknown id is a 404 in the error envelope', async () => {
		const r = await ask('And then?', 'resp_00000000-0000-4000-8000-00000000abcd');
		expectRefused(r, 404, 'not_found', 'previous_response_id');
		expect(r.json.error.message).toBe(
			"Previous response with id 'resp_00000000-0000-4000-8000-00000000abcd' not found",
		);
	});

	it('a response that has not completed is a 400: a background run still going, a failed run', async () => {
		const running = await ask('What is a quasar?', undefined, { background: true });
		const early = await ask('How far?', running.json.id);
		expectRefused(early, 400, 'invalid_request', 'previous_response_id');
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect((await ask('How far?', running.json.id)).status).toBe(200);

		sb.addFault({ fault: 'failed', times: 1 });
		const failed = await ask('What is a magnetar?');
		expect(failed.json.status).toBe('failed');
		const r = await ask('How strong?', failed.json.id);
		expectRefused(r, 400, 'invalid_request', 'previous_response_id');
		expect(r.json.error.message).toContain('is failed: only a completed response can be continued');
	});

	it('reset forgets every conversation', async () => {
		const first = await ask('What is a comet?');
		sb.reset();
		expect((await ask('And its tail?', first.json.id)).status).toBe(404);
	});
});
