import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { keyPaths } from '../helpers/recordings';
import { type Sandbox, startSandbox } from './server';

// The embeddings endpoints over real HTTP, against Perplexity's published OpenAPI document: the
// answers have its shapes, the checks its constraints, and vectors can be traced to their text.

// Replies are checked field by field; typing every wire shape here would only restate them.
type Json = any;

const KEY = 'test-key';
const SPEC = path.resolve(
	__dirname,
	'..',
	'..',
	'..',
	'shared',
	'reference',
	'perplexity-openapi.json',
);
const openapi = JSON.parse(readFileSync(SPEC, 'utf8')) as Json;

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ apiKey: KEY });
});
afterAll(async () => sb.stop());
beforeEach(() => sb.reset());

async function post(route: string, body: unknown, key: string | null = KEY) {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (key !== null) headers.authorization = `Bearer ${key}`;
	const res = await fetch(sb.url + route, {
		method: 'POST',
		headers,
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, headers: res.headers, json: JSON.parse(text) as Json };
}

const embed = (body: Json) => post('/v1/embeddings', body);
const contextualized = (body: Json) => post('/v1/contextualizedembeddings', body);
const SMALL = 'pplx-embed-v1-0.6b';
const LARGE = 'pplx-embed-v1-4b';
const CONTEXT_SMALL = 'pplx-embed-context-v1-0.6b';
const CONTEXT_LARGE = 'pplx-embed-context-v1-4b';

/** Every key path a published schema allows, in keyPaths' notation, following $refs. */
function schemaPaths(name: string): string[] {
	const out: string[] = [];
	const walk = (schema: Json, at: string) => {
		const resolved = schema.$ref
			? openapi.components.schemas[String(schema.$ref).split('/').pop() as string]
			: schema;
		if (resolved.type === 'array') return walk(resolved.items, `${at}[]`);
		for (const [key, child] of Object.entries(resolved.properties ?? {})) {
			const here = at ? `${at}.${key}` : key;
			out.push(here);
			walk(child, here);
		}
	};
	walk({ $ref: `#/components/schemas/${name}` }, '');
	return out.sort();
}

/** The signed int8 values of an embedding, as the spec says base64_int8 decodes. */
const int8 = (base64: string) => [...new Int8Array(Buffer.from(base64, 'base64'))];

/** What A28 says the vector of a text is: the first bytes of SHAKE256(text), as int8. */
const shake = (text: string, length: number) => [
	...new Int8Array(createHash('shake256', { outputLength: length }).update(text).digest()),
];

const bits = (base64: string, dimensions: number) =>
	[...Buffer.from(base64, 'base64')]
		.flatMap((byte) => Array.from({ length: 8 }, (_, i) => (byte >> (7 - i)) & 1))
		.slice(0, dimensions);

function expectValidation(reply: { status: number; json: Json }, ...locs: string[]) {
	expect(reply.status).toBe(422);
	expect(reply.json.detail.map((d: Json) => d.loc.join('.'))).toEqual(locs);
	for (const d of reply.json.detail) {
		expect(d).toEqual(
			expect.objectContaining({ type: expect.any(String), msg: expect.any(String) }),
		);
	}
}

function expectEnvelope(reply: { status: number; json: Json }, type: string, param: string) {
	expect(reply.status).toBe(400);
	expect(reply.json).toEqual({
		error: { message: expect.any(String), type, code: 400, param },
	});
}

describe('POST /v1/embeddings', () => {
	it('answers in the published shape, one embedding per text in input order', async () => {
		const reply = await embed({ input: ['alpha', 'beta', 'gamma'], model: SMALL });
		expect(reply.status).toBe(200);
		expect(keyPaths(reply.json)).toEqual(schemaPaths('EmbeddingsResponse'));
		expect(reply.json).toMatchObject({ object: 'list', model: SMALL });
		expect(reply.json.data.map((d: Json) => [d.object, d.index])).toEqual([
			['embedding', 0],
			['embedding', 1],
			['embedding', 2],
		]);
		// Tokens are counted as characters / 4, rounded up per text (A8): 2 + 1 + 2.
		expect(reply.json.usage).toEqual({
			prompt_tokens: 5,
			total_tokens: 5,
			cost: { input_cost: expect.any(Number), total_cost: expect.any(Number), currency: 'USD' },
		});
	});

	it('gives each text its own vector: SHAKE256 of the text, full size by default', async () => {
		const reply = await embed({ input: ['alpha', 'beta'], model: SMALL });
		const [alpha, beta] = reply.json.data.map((d: Json) => int8(d.embedding));
		expect(alpha).toEqual(shake('alpha', 1024));
		expect(beta).toEqual(shake('beta', 1024));
		const large = await embed({ input: 'alpha', model: LARGE });
		expect(int8(large.json.data[0].embedding)).toEqual(shake('alpha', 2560));
	});

	it('takes one string as one text, and gives a prefix of the vector for fewer dimensions', async () => {
		const reply = await embed({ input: 'alpha', model: LARGE, dimensions: 128 });
		expect(reply.json.data).toHaveLength(1);
		expect(int8(reply.json.data[0].embedding)).toEqual(shake('alpha', 2560).slice(0, 128));
	});

	it('packs one bit per dimension for base64_binary: 1 where the int8 value is above 0', async () => {
		const reply = await embed({
			input: ['alpha'],
			model: SMALL,
			dimensions: 130,
			encoding_format: 'base64_binary',
		});
		const { embedding } = reply.json.data[0];
		expect(Buffer.from(embedding, 'base64')).toHaveLength(17);
		expect(bits(embedding, 130)).toEqual(shake('alpha', 130).map((v) => (v > 0 ? 1 : 0)));
		expect(bits(embedding, 136).slice(130)).toEqual([0, 0, 0, 0, 0, 0]);
		const int8Reply = await embed({
			input: ['alpha'],
			model: SMALL,
			encoding_format: 'base64_int8',
		});
		expect(int8(int8Reply.json.data[0].embedding)).toEqual(shake('alpha', 1024));
	});

	it('accepts every published field at its bounds', async () => {
		const texts = Array.from({ length: 512 }, (_, i) => `text ${i}`);
		for (const body of [
			{ input: texts, model: SMALL, dimensions: 128 },
			{ input: ['x'], model: SMALL, dimensions: 1024 },
			{ input: ['x'], model: LARGE, dimensions: 2560, encoding_format: 'base64_binary' },
			{ input: ['x'], model: LARGE, dimensions: '256' },
		]) {
			expect((await embed(body)).status).toBe(200);
		}
	});

	it('refuses an unknown field with the 400 envelope before anything else', async () => {
		expectEnvelope(
			await embed({ input: [''], model: 'nope', user: 'me', truncate: true }),
			'invalid_request',
			'user',
		);
		expectEnvelope(
			await embed({ input: ['x'], model: SMALL, encoding_format: 'float', float: 1 }),
			'invalid_request',
			'float',
		);
	});

	it('answers schema violations with a 422 that lists every field', async () => {
		expectValidation(await embed({}), 'body.input', 'body.model');
		expectValidation(
			await embed({ input: ['', 7], model: 'text-embedding-3-small', encoding_format: 'float' }),
			'body.input.list[str].0',
			'body.input.list[str].1',
			'body.model',
			'body.encoding_format',
		);
		expectValidation(
			await embed({ input: 5, model: SMALL, dimensions: 127.5 }),
			'body.input.str',
			'body.input.list[str]',
			'body.dimensions',
		);
		expectValidation(await embed({ input: '', model: SMALL }), 'body.input.str');
		expectValidation(await embed({ input: [], model: SMALL }), 'body.input.list[str]');
		expectValidation(
			await embed({ input: ['x'], model: SMALL, dimensions: 64 }),
			'body.dimensions',
		);
		expectValidation(
			await embed({ input: ['x'], model: LARGE, dimensions: 4096 }),
			'body.dimensions',
		);
		const many = await embed({ input: Array.from({ length: 513 }, () => 'x'), model: SMALL });
		expectValidation(many, 'body.input.list[str]');
		expect(many.json.detail[0]).toMatchObject({ type: 'too_long', ctx: { max_length: 512 } });
		expectValidation(await post('/v1/embeddings', '{"input": ['), 'body.0');
	});

	it('refuses what the schema states only in words with 400 invalid_parameter', async () => {
		expectEnvelope(
			await embed({ input: ['x'], model: SMALL, dimensions: 1025 }),
			'invalid_parameter',
			'dimensions',
		);
		// Tokens are counted as characters / 4 (A8): 131,076 characters are 32,769 tokens.
		expectEnvelope(
			await embed({ input: ['x', 'y'.repeat(131_076)], model: SMALL }),
			'invalid_parameter',
			'input',
		);
		expect((await embed({ input: ['y'.repeat(131_072)], model: SMALL })).status).toBe(200);
		const quarter = 'z'.repeat(120_000);
		expectEnvelope(
			await embed({ input: [quarter, quarter, quarter, quarter, 'z'.repeat(8)], model: SMALL }),
			'invalid_parameter',
			'input',
		);
	});

	it('needs the API key', async () => {
		const reply = await post('/v1/embeddings', { input: ['x'], model: SMALL }, null);
		expect(reply.status).toBe(401);
		expect(reply.json.error.type).toBe('invalid_api_key');
	});
});

describe('POST /v1/contextualizedembeddings', () => {
	const documents = [['The cat sat.', 'It purred.'], ['Markets rose.']];

	it('answers in the published shape: one object per document, one embedding per chunk', async () => {
		const reply = await contextualized({ input: documents, model: CONTEXT_SMALL });
		expect(reply.status).toBe(200);
		expect(keyPaths(reply.json)).toEqual(schemaPaths('ContextualizedEmbeddingsResponse'));
		expect(reply.json).toMatchObject({ object: 'list', model: CONTEXT_SMALL });
		expect(
			reply.json.data.map((doc: Json) => [
				doc.object,
				doc.index,
				doc.data.map((c: Json) => c.index),
			]),
		).toEqual([
			['list', 0, [0, 1]],
			['list', 1, [0]],
		]);
		expect(reply.json.usage.prompt_tokens).toBe(3 + 3 + 4);
	});

	it('starts every chunk vector with its text fingerprint; the rest depends on the document', async () => {
		const reply = await contextualized({
			input: [
				['shared', 'left'],
				['shared', 'right'],
			],
			model: CONTEXT_LARGE,
			dimensions: 256,
		});
		const [left, right] = reply.json.data.map((doc: Json) => int8(doc.data[0].embedding));
		expect(left).toHaveLength(256);
		expect(left.slice(0, 8)).toEqual(shake('shared', 8));
		expect(right.slice(0, 8)).toEqual(shake('shared', 8));
		expect(left.slice(8)).not.toEqual(right.slice(8));
		expect(int8(reply.json.data[0].data[1].embedding).slice(0, 8)).toEqual(shake('left', 8));
	});

	it('packs bits for base64_binary as the plain endpoint does', async () => {
		const reply = await contextualized({
			input: [['bits']],
			model: CONTEXT_SMALL,
			encoding_format: 'base64_binary',
		});
		const { embedding } = reply.json.data[0].data[0];
		expect(Buffer.from(embedding, 'base64')).toHaveLength(128);
		expect(bits(embedding, 8)).toEqual(shake('bits', 8).map((v) => (v > 0 ? 1 : 0)));
	});

	it('checks the nested input, the model and the document limits', async () => {
		expectEnvelope(
			await contextualized({ input: [['x']], model: CONTEXT_SMALL, documents: [] }),
			'invalid_request',
			'documents',
		);
		expectValidation(
			await contextualized({ input: [[], 'x', ['']], model: SMALL }),
			'body.input.0',
			'body.input.1',
			'body.input.2.0',
			'body.model',
		);
		expectValidation(await contextualized({ input: ['x'], model: CONTEXT_SMALL }), 'body.input.0');
		expectValidation(
			await contextualized({
				input: Array.from({ length: 513 }, () => ['x']),
				model: CONTEXT_SMALL,
			}),
			'body.input',
		);
		expect(
			(
				await contextualized({
					input: Array.from({ length: 512 }, () => ['x']),
					model: CONTEXT_SMALL,
				})
			).status,
		).toBe(200);
		expectEnvelope(
			await contextualized({ input: [['x']], model: CONTEXT_SMALL, dimensions: 2560 }),
			'invalid_parameter',
			'dimensions',
		);
		const chunks = Array.from({ length: 16_001 }, () => 'c');
		expectEnvelope(
			await contextualized({
				input: [chunks.slice(0, 8000), chunks.slice(8000)],
				model: CONTEXT_SMALL,
			}),
			'invalid_parameter',
			'input',
		);
		// 33,000 tokens in one document, though no chunk is long.
		const long = Array.from({ length: 33 }, () => 'abcd'.repeat(1000));
		expectEnvelope(
			await contextualized({ input: [long], model: CONTEXT_SMALL }),
			'invalid_parameter',
			'input',
		);
	});
});

describe('faults and directives on the embeddings endpoints', () => {
	it('rules match the path and model; incomplete does not apply to embeddings', async () => {
		sb.addFault({ fault: 'incomplete', times: 1 });
		sb.addFault({
			fault: 'rate_limit',
			times: 1,
			retryAfter: 2,
			match: { path: '/v1/embeddings' },
		});
		sb.addFault({ fault: 'server_error', times: 1, match: { model: CONTEXT_SMALL } });
		const limited = await embed({ input: ['x'], model: SMALL });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('2');
		expect(limited.json.error.type).toBe('request_rate_limit_exceeded');
		expect((await contextualized({ input: [['x']], model: CONTEXT_SMALL })).status).toBe(500);
		expect((await embed({ input: ['x'], model: SMALL })).status).toBe(200);
		expect(sb.faults().find((f) => f.fault === 'incomplete')?.hits).toBe(0);
	});

	it('a directive in any text fails the request the given number of times', async () => {
		const body = {
			input: ['first', 'second [[sandbox:unavailable times=2]]'],
			model: SMALL,
		};
		expect((await embed(body)).status).toBe(503);
		expect((await embed(body)).status).toBe(503);
		const ok = await embed(body);
		expect(ok.status).toBe(200);
		expect(int8(ok.json.data[1].embedding)).toEqual(
			shake('second [[sandbox:unavailable times=2]]', 1024),
		);
		expect(sb.requests()[0].prompt).toBe('first\nsecond [[sandbox:unavailable times=2]]');
	});
});
