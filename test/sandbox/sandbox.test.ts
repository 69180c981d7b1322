import { spawn, type ChildProcess } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';
import {
	eventOrder,
	keyPaths,
	keyPathsOfAll,
	readEvents,
	readRecording,
	recordingPath,
} from '../helpers/recordings';
import { startSandbox, type FaultRule, type Sandbox } from './server';

// Everything goes over real HTTP with Node's fetch, the way the node and the bench use the sandbox.

// Replies are checked field by field against the reference; typing every wire shape here would
// only restate what the assertions already say.
type Json = any;

interface Reply {
	status: number;
	headers: Headers;
	text: string;
	json: Json;
	ms: number;
}

const KEY = 'test-key';
let sb: Sandbox;

beforeAll(async () => {
	sb = await startSandbox({ apiKey: KEY, backgroundMs: 150 });
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => sb.reset());

async function call(
	method: string,
	route: string,
	body?: unknown,
	key: string | null = KEY,
): Promise<Reply> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (key !== null) headers.authorization = `Bearer ${key}`;
	const started = Date.now();
	const res = await fetch(sb.url + route, {
		method,
		headers,
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await res.text();
	let json: Json = undefined;
	try {
		json = JSON.parse(text);
	} catch {
		// SSE, HTML and deliberately broken bodies stay text
	}
	return { status: res.status, headers: res.headers, text, json, ms: Date.now() - started };
}

const agent = (body: Json, key: string | null = KEY) => call('POST', '/v1/agent', body, key);
const sonar = (body: Json, key: string | null = KEY) =>
	call('POST', '/chat/completions', body, key);

const ask = (input: Json, extra: Json = {}) =>
	agent({ model: 'openai/gpt-5.1', input, tools: [{ type: 'web_search' }], ...extra });
const chat = (content: string, extra: Json = {}) =>
	sonar({ model: 'sonar', messages: [{ role: 'user', content }], ...extra });

interface SseEvent {
	event?: string;
	data: Json;
}

function parseSse(text: string): SseEvent[] {
	return text
		.split('\n\n')
		.filter((block) => block.trim())
		.map((block) => {
			let event: string | undefined;
			let data = '';
			for (const line of block.split('\n')) {
				if (line.startsWith('event: ')) event = line.slice(7);
				else if (line.startsWith('data: ')) data += line.slice(6);
			}
			return { event, data: data === '[DONE]' ? '[DONE]' : JSON.parse(data) };
		});
}

const messageText = (response: Json): string =>
	response.output
		.filter((o: Json) => o.type === 'message')
		.flatMap((o: Json) => o.content)
		.map((c: Json) => c.text)
		.join('');

const searchItem = (response: Json) =>
	response.output.find((o: Json) => o.type === 'search_results');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectEnvelope(r: Reply, status: number, type: string, param?: string) {
	expect(r.status).toBe(status);
	expect(r.json.error.type).toBe(type);
	expect(r.json.error.code).toBe(status);
	expect(typeof r.json.error.message).toBe('string');
	if (param !== undefined) expect(r.json.error.param).toBe(param);
}

describe('GET /v1/models', () => {
	it('lists provider/model ids without auth', async () => {
		const r = await call('GET', '/v1/models', undefined, null);
		expect(r.status).toBe(200);
		expect(r.json.object).toBe('list');
		const ids = r.json.data.map((m: Json) => m.id);
		for (const id of [
			'perplexity/sonar',
			'openai/gpt-5.1',
			'openai/gpt-5-mini',
			'anthropic/claude-sonnet-4-5',
			'anthropic/claude-haiku-4-5',
			'google/gemini-2.5-pro',
			'xai/grok-4-1',
		]) {
			expect(ids).toContain(id);
		}
		for (const m of r.json.data) {
			expect(m.object).toBe('model');
			expect(typeof m.created).toBe('number');
			expect(m.owned_by).toBe(m.id.split('/')[0]);
		}
		expect(sb.requests()[0]).toMatchObject({ path: '/v1/models', status: 200, auth: 'none' });
	});
});

describe('headers and routing', () => {
	it('puts x-request-id and x-ratelimit-* on every response but a 401, as recorded', async () => {
		const now = Math.floor(Date.now() / 1000);
		const replies = [
			await ask('What is rain?'),
			await agent({ input: 'x' }),
			await call('GET', '/v1/nothing'),
			await call('GET', '/v1/models'),
		];
		expect(replies.map((r) => r.status)).toEqual([200, 400, 404, 200]);
		const ids = new Set<string>();
		for (const r of replies) {
			ids.add(r.headers.get('x-request-id') ?? '');
			expect(Number(r.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
			expect(Number(r.headers.get('x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
			expect(Number(r.headers.get('x-ratelimit-used'))).toBeGreaterThan(0);
			const reset = Number(r.headers.get('x-ratelimit-reset'));
			expect(reset).toBeGreaterThanOrEqual(now);
			expect(reset).toBeLessThan(now + 3600);
		}
		const unauthorized = await agent({ input: 'x' }, null);
		expect(unauthorized.status).toBe(401);
		const names = [...unauthorized.headers.keys()];
		expect(names.filter((name) => name.startsWith('x-'))).toEqual([]);
		expect(ids.size).toBe(replies.length);
		expect(ids.has('')).toBe(false);
	});

	it('answers unknown paths with a not_found envelope and wrong methods with 405', async () => {
		expectEnvelope(await call('GET', '/v2/whatever'), 404, 'not_found');
		expect((await call('GET', '/v1/agent')).status).toBe(405);
	});
});

describe('auth', () => {
	it.each([
		['/v1/agent', { model: 'openai/gpt-5.1', input: 'hi' }],
		['/v1/responses', { model: 'openai/gpt-5.1', input: 'hi' }],
		['/chat/completions', { model: 'sonar', messages: [{ role: 'user', content: 'hi' }] }],
	])('%s: missing or wrong key is 401 invalid_api_key', async (route, body) => {
		const missing = await call('POST', route, body, null);
		expectEnvelope(missing, 401, 'invalid_api_key');
		const wrong = await call('POST', route, body, 'nope');
		expectEnvelope(wrong, 401, 'invalid_api_key');
		expect(sb.requests().map((e) => e.auth)).toEqual(['missing', 'invalid']);
	});

	it('checks auth before validation', async () => {
		const r = await agent({ bogus: true }, null);
		expect(r.status).toBe(401);
		const s = await sonar({ model: 'gpt-4' }, 'wrong');
		expect(s.status).toBe(401);
	});
});

describe('Agent API: answers', () => {
	it('returns a completed response with search results, citations and usage', async () => {
		const question = 'What is the capital of France?';
		const r = await ask(question);
		expect(r.status).toBe(200);
		const res = r.json;
		expect(res).toMatchObject({
			object: 'response',
			status: 'completed',
			model: 'openai/gpt-5.1',
			error: null,
			incomplete_details: null,
		});
		expect(res.id).toMatch(/^resp_/);
		expect(res.completed_at).toBeGreaterThanOrEqual(res.created_at);
		expect(res.output.map((o: Json) => o.type)).toEqual(['search_results', 'message']);

		const search = searchItem(res);
		expect(search.queries.length).toBeGreaterThan(0);
		expect(search.results.length).toBeGreaterThanOrEqual(3);
		expect(search.results.length).toBeLessThanOrEqual(5);
		search.results.forEach((result: Json, i: number) => {
			expect(result.id).toBe(i + 1);
			expect(result.url).toMatch(/^https:\/\/[a-z0-9.-]+\.[a-z]+\//);
			expect(result.title.length).toBeGreaterThan(5);
			expect(result.snippet.length).toBeGreaterThan(20);
			expect(result.last_updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
			// as recorded, some results have a publication date and some do not
			if (i % 2 === 0) expect(result.last_updated >= result.date).toBe(true);
			else expect(result).not.toHaveProperty('date');
			expect(result.source).toBe('web');
		});

		const message = res.output[1];
		expect(message).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
		const part = message.content[0];
		expect(part.type).toBe('output_text');
		expect(part.text).toContain(`"${question}"`);
		expect(part.text).toContain('[1]');
		expect(part.text).toContain('[2]');
		expect(part.text.split(/(?<=\.) /).length).toBeLessThanOrEqual(4);
		// every result is cited by its [n] marker; annotations stay empty, as recorded
		for (const result of search.results) expect(part.text).toContain(`[${result.id}]`);
		expect(part.annotations).toEqual([]);

		const u = res.usage;
		expect(u.total_tokens).toBe(u.input_tokens + u.output_tokens);
		expect(u.input_tokens).toBeGreaterThan(0);
		expect(u.output_tokens).toBeGreaterThanOrEqual(Math.ceil(part.text.length / 4));
		expect(u.output_tokens_details.reasoning_tokens).toBe(0);
		expect(u.input_tokens_details).toEqual({
			cache_creation_input_tokens: 0,
			cache_read_input_tokens: 0,
			cached_tokens: 0,
		});
		expect(u.tool_calls_details.search_web).toEqual({
			cost_usd: u.cost.tool_calls_cost,
			invocation: 1,
		});
		expect(u.cost.currency).toBe('USD');
		expect(u.cost.tool_calls_cost_details).toEqual({ search_web: u.cost.tool_calls_cost });
		expect(u.cost.total_cost).toBeCloseTo(
			u.cost.input_cost +
				u.cost.cache_read_cost +
				u.cost.cache_creation_cost +
				u.cost.output_cost +
				u.cost.tool_calls_cost,
			6,
		);
		// request fields echo with the recorded defaults
		expect(res).toMatchObject({ temperature: 1, top_p: 1, tool_choice: 'auto', store: false });
	});

	it('is deterministic apart from ids and timestamps', async () => {
		const a = (await ask('How do tides work?')).json;
		const b = (await ask('How do tides work?')).json;
		expect(a.id).not.toBe(b.id);
		expect(b.output[1].content).toEqual(a.output[1].content);
		expect(searchItem(b)).toEqual(searchItem(a));
		expect(b.usage).toEqual(a.usage);
		const c = (await ask('How do volcanoes erupt?')).json;
		expect(searchItem(c).results[0].url).not.toBe(searchItem(a).results[0].url);
	});

	it('serves the same API on /v1/responses', async () => {
		const r = await call('POST', '/v1/responses', {
			model: 'openai/gpt-5.1',
			input: 'hello there',
		});
		expect(r.status).toBe(200);
		expect(r.json.object).toBe('response');
		expect(messageText(r.json)).toContain('"hello there"');
	});

	it.each([
		['fast', 'perplexity/sonar'],
		['low', 'openai/gpt-5-mini'],
		['medium', 'openai/gpt-5.1'],
		['high', 'xai/grok-4-1'],
		['xhigh', 'google/gemini-2.5-pro'],
		['fast-search', 'perplexity/sonar'],
		['pro-search', 'openai/gpt-5-mini'],
		['deep-research', 'openai/gpt-5.1'],
		['advanced-deep-research', 'xai/grok-4-1'],
	])('resolves preset %s to a concrete model', async (preset, model) => {
		const r = await agent({ preset, input: 'Write a haiku about autumn' });
		expect(r.status).toBe(200);
		expect(r.json.model).toBe(model);
		expect(r.json).not.toHaveProperty('preset');
		// a preset bundles web search and, as recorded `fast` runs did, searches for any prompt
		expect(searchItem(r.json)).toBeDefined();
		// and its system prompt comes from the cache
		const details = r.json.usage.input_tokens_details;
		expect(details.cached_tokens).toBeGreaterThan(0);
		expect(details.cache_read_input_tokens).toBe(details.cached_tokens);
		expect(r.json.usage.cost.cache_read_cost).toBeGreaterThan(0);
	});

	it('uses the first of a models fallback list', async () => {
		const r = await agent({ models: ['openai/gpt-5-mini', 'openai/gpt-5.1'], input: 'hi' });
		expect(r.json.model).toBe('openai/gpt-5-mini');
	});

	it('searches when the tool is offered and the model wants it', async () => {
		const noTool = await agent({ model: 'openai/gpt-5.1', input: 'What is entropy?' });
		expect(searchItem(noTool.json)).toBeUndefined();
		expect(messageText(noTool.json)).not.toContain('[1]');
		expect(noTool.json.usage.tool_calls_details).toEqual({});
		expect(noTool.json.usage.cost.tool_calls_cost_details).toEqual({});

		// other models search for what reads like a question
		const statement = await ask('Write a haiku about autumn');
		expect(searchItem(statement.json)).toBeUndefined();
		expect(searchItem((await ask('Is autumn early this year')).json)).toBeDefined();

		// perplexity/sonar with the tool stands for Sonar, which always searched
		const sonarModel = await agent({
			model: 'perplexity/sonar',
			input: 'Write a haiku about autumn',
			tools: [{ type: 'web_search' }],
		});
		expect(searchItem(sonarModel.json)).toBeDefined();
		// a preset with its own tool list without web_search does not search
		const own = await agent({
			preset: 'fast',
			input: 'What is entropy?',
			tools: [{ type: 'fetch_url' }],
		});
		expect(searchItem(own.json)).toBeUndefined();
	});

	it('with the docs-only switch on, tool_choice and max_tool_calls steer search', async () => {
		sb.configure({ acceptDocsOnlyFields: true });
		const forced = await ask('Write a haiku about autumn', { tool_choice: { type: 'web_search' } });
		expect(searchItem(forced.json)).toBeDefined();
		const required = await ask('Write a haiku about autumn', { tool_choice: 'required' });
		expect(searchItem(required.json)).toBeDefined();
		const none = await ask('What is entropy?', { tool_choice: 'none' });
		expect(searchItem(none.json)).toBeUndefined();
		const zero = await ask('What is entropy?', { max_tool_calls: 0 });
		expect(searchItem(zero.json)).toBeUndefined();
		expect(zero.json.max_tool_calls).toBe(0);
	});

	it('answers the last user message of a multi-turn input', async () => {
		const r = await agent({
			model: 'openai/gpt-5.1',
			instructions: 'Be brief.',
			input: [
				{ role: 'system', content: 'You are terse.' },
				{ role: 'developer', content: 'Cite sources.' },
				{ type: 'message', role: 'user', content: 'What is Rust?' },
				{ role: 'assistant', content: 'A programming language.' },
				{
					role: 'user',
					content: [
						{ type: 'input_text', text: 'Who created it?' },
						{ type: 'input_image', image_url: 'https://example.com/a.png' },
					],
				},
			],
		});
		expect(r.status).toBe(200);
		expect(messageText(r.json)).toContain('"Who created it?"');
		expect(messageText(r.json)).not.toContain('What is Rust?');
		expect(sb.requests()[0].prompt).toBe('Who created it?');
	});

	it('honours the domain filter', async () => {
		const allow = await ask('What is photosynthesis?', {
			tools: [
				{ type: 'web_search', filters: { search_domain_filter: ['nature.com', 'example.org'] } },
			],
		});
		const allowed = searchItem(allow.json).results.map((r: Json) => new URL(r.url).hostname);
		expect(allowed.length).toBeGreaterThanOrEqual(3);
		for (const host of allowed) expect(['www.nature.com', 'example.org']).toContain(host);
		expect(new Set(searchItem(allow.json).results.map((r: Json) => r.url)).size).toBe(
			allowed.length,
		);

		const deny = await ask('What is photosynthesis?', {
			tools: [
				{
					type: 'web_search',
					filters: { search_domain_filter: ['-wikipedia.org', '-britannica.com', '-nature.com'] },
				},
			],
		});
		for (const r of searchItem(deny.json).results) {
			expect(r.url).not.toMatch(/wikipedia\.org|britannica\.com|nature\.com/);
		}
	});

	it('keeps result dates inside the date filters and the recency window', async () => {
		const dated = await ask('What happened to the euro?', {
			tools: [
				{
					type: 'web_search',
					filters: {
						search_after_date_filter: '01/01/2024',
						search_before_date_filter: '3/1/2024',
					},
				},
			],
		});
		for (const r of searchItem(dated.json).results) {
			expect(r.date > '2024-01-01').toBe(true);
			expect(r.date < '2024-03-01').toBe(true);
		}
		const recent = await ask('What happened to the euro?', {
			tools: [{ type: 'web_search', filters: { search_recency_filter: 'week' } }],
		});
		const weekAgo = new Date(Date.now() - 8 * 86_400_000).toISOString().slice(0, 10);
		for (const r of searchItem(recent.json).results) expect(r.date >= weekAgo).toBe(true);
	});

	it('returns JSON valid against a json_schema response_format', async () => {
		const schema = {
			type: 'object',
			properties: {
				answer: { type: 'string' },
				confidence: { type: 'number', minimum: 0, maximum: 1 },
				year: { type: 'integer', minimum: 1900 },
				category: { type: 'string', enum: ['science', 'history'] },
				sources: { type: 'array', items: { type: 'string', format: 'uri' } },
				meta: { $ref: '#/$defs/meta' },
				optional: { type: 'string' },
			},
			required: ['answer', 'confidence', 'year', 'category', 'sources', 'meta'],
			additionalProperties: false,
			$defs: {
				meta: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
			},
		};
		const r = await ask('What is DNA?', {
			response_format: {
				type: 'json_schema',
				json_schema: { name: 'facts', schema, strict: true },
			},
		});
		expect(r.status).toBe(200);
		const doc = JSON.parse(messageText(r.json));
		expect(Object.keys(doc).sort()).toEqual(schema.required.slice().sort());
		expect(doc.answer).toContain('What is DNA?');
		expect(doc.confidence).toBeGreaterThanOrEqual(0);
		expect(doc.confidence).toBeLessThanOrEqual(1);
		expect(Number.isInteger(doc.year) && doc.year >= 1900).toBe(true);
		expect(doc.category).toBe('science');
		expect(doc.sources).toHaveLength(1);
		expect(doc.sources[0]).toMatch(/^https:\/\//);
		expect(doc.meta).toEqual({ ok: true });
	});

	it('ends incomplete when max_output_tokens is smaller than the answer', async () => {
		const full = messageText((await ask('What is gravity?')).json);
		const r = await ask('What is gravity?', { max_output_tokens: 20 });
		expect(r.json.status).toBe('incomplete');
		expect(r.json.incomplete_details).toEqual({ reason: 'max_output_tokens' });
		const text = messageText(r.json);
		expect(text.length).toBeLessThanOrEqual(80);
		expect(full.startsWith(text)).toBe(true);
		expect(r.json.output.find((o: Json) => o.type === 'message').status).toBe('incomplete');
	});

	it('counts reasoning tokens for reasoning.effort', async () => {
		const r = await ask('What is a prime?', { reasoning: { effort: 'high' } });
		expect(r.json.usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
		expect(r.json.reasoning).toEqual({ effort: 'high' });
	});
});

describe('Agent API: strict validation', () => {
	const base = { model: 'openai/gpt-5.1', input: 'hi' };

	it.each([
		['top_k', { top_k: 5 }],
		['presence_penalty', { presence_penalty: 0.1 }],
		['frequency_penalty', { frequency_penalty: 1 }],
		['stop', { stop: ['x'] }],
		['search_mode', { search_mode: 'web' }],
		['return_images', { return_images: true }],
		['return_related_questions', { return_related_questions: true }],
		['disable_search', { disable_search: true }],
		['web_search_options', { web_search_options: {} }],
		['text', { text: { format: { type: 'json_schema' } } }],
		['messages', { messages: [] }],
		// echoed in recorded responses, but no request carries them and the SDK has no such field
		['metadata', { metadata: { run: 'x' } }],
		['truncation', { truncation: 'auto' }],
		// docs-only: refused unless the sandbox runs with acceptDocsOnlyFields
		['temperature', { temperature: 0.5 }],
		['top_p', { top_p: 0.9 }],
		['tool_choice', { tool_choice: { type: 'web_search' } }],
		['parallel_tool_calls', { parallel_tool_calls: false }],
		['max_tool_calls', { max_tool_calls: 3 }],
	])('rejects the unknown top-level field %s', async (field, extra) => {
		const r = await agent({ ...base, ...extra });
		expectEnvelope(r, 400, 'invalid_request', field);
		expect(r.json.error.message).toBe(`invalid request body: json: unknown field "${field}"`);
	});

	it.each([
		['foo', { tools: [{ type: 'web_search', filters: { foo: 1 } }] }],
		// max_results belongs to the Search API, never to the Agent web_search tool
		['max_results', { tools: [{ type: 'web_search', max_results: 5 }] }],
		[
			'search_language_filter',
			{ tools: [{ type: 'web_search', filters: { search_language_filter: ['en'] } }] },
		],
		['extra', { tools: [{ type: 'function', name: 'f', extra: 1 }] }],
		[
			'status',
			{ input: [{ type: 'function_call_output', call_id: 'c', output: 'x', status: 'y' }] },
		],
		['zip', { tools: [{ type: 'web_search', user_location: { city: 'Paris', zip: '75001' } }] }],
		['search_mode', { tools: [{ type: 'web_search', search_mode: 'academic' }] }],
		['budget', { reasoning: { effort: 'low', budget: 1 } }],
		[
			'regex',
			{ response_format: { type: 'json_schema', json_schema: { schema: {}, regex: 'x' } } },
		],
		['name', { input: [{ role: 'user', content: 'hi', name: 'bob' }] }],
		[
			'detail',
			{ input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi', detail: 'x' }] }] },
		],
	])('rejects the nested unknown field %s', async (field, extra) => {
		const r = await agent({ ...base, ...extra });
		expectEnvelope(r, 400, 'invalid_request', field);
		expect(r.json.error.message).toBe(`invalid request body: json: unknown field "${field}"`);
	});

	it('accepts the tools it does not run loosely', async () => {
		const r = await agent({
			...base,
			tools: [
				{ type: 'fetch_url', max_urls: 3, anything: true },
				{ type: 'finance_search' },
				{ type: 'people_search' },
				{ type: 'sandbox' },
				{ type: 'mcp', server_url: 'https://mcp.example.com' },
			],
		});
		expect(r.status).toBe(200);
		expectEnvelope(
			await agent({ ...base, tools: [{ type: 'code_interpreter' }] }),
			400,
			'invalid_request',
		);
	});

	it.each([
		['instructions', { instructions: 5 }, 'number', 'string'],
		['max_output_tokens', { max_output_tokens: 2.5 }, 'number 2.5', 'int'],
		['stream', { stream: 'yes' }, 'string', 'bool'],
		['tools', { tools: {} }, 'object', '[]agent.Tool'],
	])('rejects a wrongly typed %s in Go words', async (field, extra, got, want) => {
		const r = await agent({ ...base, ...extra });
		expectEnvelope(r, 400, 'invalid_request', field);
		expect(r.json.error.message).toContain(`cannot unmarshal ${got} into Go struct field`);
		expect(r.json.error.message).toContain(`${field} of type ${want}`);
	});

	it('reports the first problem in document order', async () => {
		const r = await agent({ ...base, zeta: 1, max_steps: 'x' });
		expect(r.json.error.param).toBe('zeta');
		const s = await agent({ max_steps: 'x', ...base, zeta: 1 });
		expect(s.json.error.param).toBe('max_steps');
	});

	it.each([
		['no model, models or preset', { input: 'hi' }, 'invalid_request'],
		['an unknown model', { model: 'openai/gpt-9', input: 'hi' }, 'invalid_model'],
		['a Sonar name as model', { model: 'sonar-pro', input: 'hi' }, 'invalid_model'],
		['an unknown preset', { preset: 'turbo', input: 'hi' }, 'invalid_model'],
		[
			'an unknown fallback model',
			{ models: ['openai/gpt-5.1', 'x/y'], input: 'hi' },
			'invalid_model',
		],
		[
			'six fallback models',
			{ models: Array(6).fill('openai/gpt-5.1'), input: 'hi' },
			'invalid_parameter',
		],
		[
			'anthropic without max_output_tokens',
			{ model: 'anthropic/claude-haiku-4-5', input: 'hi' },
			'invalid_parameter',
		],
		['no input', { model: 'openai/gpt-5.1' }, 'invalid_request'],
		['an empty input', { model: 'openai/gpt-5.1', input: [] }, 'invalid_request'],
		[
			'a bad role',
			{ model: 'openai/gpt-5.1', input: [{ role: 'bot', content: 'x' }] },
			'invalid_parameter',
		],
		['max_output_tokens 0', { ...base, max_output_tokens: 0 }, 'invalid_parameter'],
		['max_steps 11', { ...base, max_steps: 11 }, 'invalid_parameter'],
		['max_steps 0', { ...base, max_steps: 0 }, 'invalid_parameter'],
		['effort extreme', { ...base, reasoning: { effort: 'extreme' } }, 'invalid_parameter'],
		// not an effort the SDK knows
		['effort max', { ...base, reasoning: { effort: 'max' } }, 'invalid_parameter'],
		['response_format text', { ...base, response_format: { type: 'text' } }, 'invalid_parameter'],
		[
			'json_schema without schema',
			{ ...base, response_format: { type: 'json_schema', json_schema: { name: 'x' } } },
			'invalid_parameter',
		],
		[
			'search_context_size huge',
			{ ...base, tools: [{ type: 'web_search', search_context_size: 'huge' }] },
			'invalid_parameter',
		],
		[
			'recency decade',
			{ ...base, tools: [{ type: 'web_search', filters: { search_recency_filter: 'decade' } }] },
			'invalid_parameter',
		],
		[
			'an ISO date',
			{
				...base,
				tools: [{ type: 'web_search', filters: { search_after_date_filter: '2024-01-01' } }],
			},
			'invalid_date_format',
		],
		[
			'February 30',
			{
				...base,
				tools: [{ type: 'web_search', filters: { last_updated_before_filter: '02/30/2024' } }],
			},
			'invalid_date_format',
		],
		[
			'recency with a date',
			{
				...base,
				tools: [
					{
						type: 'web_search',
						filters: { search_recency_filter: 'day', search_before_date_filter: '01/01/2025' },
					},
				],
			},
			'invalid_parameter',
		],
		[
			'21 domains',
			{
				...base,
				tools: [
					{
						type: 'web_search',
						filters: { search_domain_filter: Array.from({ length: 21 }, (_, i) => `d${i}.com`) },
					},
				],
			},
			'invalid_search_domain_filter',
		],
		[
			'a domain with a scheme',
			{
				...base,
				tools: [{ type: 'web_search', filters: { search_domain_filter: ['https://nature.com'] } }],
			},
			'invalid_search_domain_filter',
		],
		[
			'a 254-character domain',
			{
				...base,
				tools: [
					{ type: 'web_search', filters: { search_domain_filter: [`${'a'.repeat(250)}.com`] } },
				],
			},
			'invalid_search_domain_filter',
		],
		['stream with background', { ...base, stream: true, background: true }, 'invalid_parameter'],
	])('rejects %s', async (_name, body, type) => {
		expectEnvelope(await agent(body), 400, type);
	});

	it('rejects bodies that are not JSON objects', async () => {
		const broken = await agent('{"model": "openai/gpt-5.1", ');
		expectEnvelope(broken, 400, 'invalid_request');
		expect(broken.json.error.message).toMatch(/^invalid request body: /);
		expectEnvelope(await agent('[1,2]'), 400, 'invalid_request');
		expectEnvelope(await agent(''), 400, 'invalid_request');
	});

	it('accepts every proven field at its bounds', async () => {
		const previous = await agent(base);
		const r = await agent({
			model: 'anthropic/claude-sonnet-4-5',
			input: [
				{ role: 'user', content: 'What is light?' },
				{ type: 'message', role: 'assistant', content: 'A wave.' },
				{
					type: 'function_call',
					call_id: 'call_1',
					name: 'lookup',
					arguments: '{"q":"light"}',
					thought_signature: 'c2ln',
				},
				{
					type: 'function_call_output',
					call_id: 'call_1',
					output: '{"speed":"c"}',
					name: 'lookup',
					thought_signature: 'c2ln',
				},
				{ role: 'user', content: [{ type: 'input_text', text: 'And sound?' }] },
			],
			instructions: 'Answer in one line.',
			max_output_tokens: 4000,
			reasoning: { effort: 'xhigh' },
			response_format: null,
			tools: [
				{
					type: 'web_search',
					filters: {
						search_domain_filter: ['wikipedia.org'],
						search_recency_filter: null,
						search_after_date_filter: '01/01/2020',
						search_before_date_filter: '12/31/2030',
						last_updated_after_filter: '01/01/2020',
						last_updated_before_filter: '12/31/2030',
					},
					search_context_size: 'high',
					max_tokens: 10000,
					max_tokens_per_page: 1000,
					user_location: {
						latitude: 48.85,
						longitude: 2.35,
						country: 'FR',
						region: 'IDF',
						city: 'Paris',
					},
				},
				{
					type: 'function',
					name: 'lookup',
					description: 'Looks a word up',
					parameters: { type: 'object', properties: { q: { type: 'string' } } },
					strict: true,
				},
			],
			models: ['anthropic/claude-sonnet-4-5', 'openai/gpt-5.1', 'openai/gpt-5-mini'],
			max_steps: 10,
			language_preference: 'en',
			stream: false,
			background: false,
			store: false,
			previous_response_id: previous.json.id,
		});
		expect(r.status).toBe(200);
		expect(r.json.model).toBe('anthropic/claude-sonnet-4-5');
		expect(messageText(r.json)).toContain('"And sound?"');
		for (const effort of ['minimal', 'low', 'medium', 'high']) {
			expect((await agent({ ...base, reasoning: { effort } })).status).toBe(200);
		}
	});

	it.each([
		['the recorded minimal request', { preset: 'fast', stream: false }],
		[
			'the recorded request with tool filters',
			{
				max_output_tokens: 200,
				reasoning: { effort: 'low' },
				stream: false,
				tools: [
					{
						type: 'web_search',
						search_context_size: 'low',
						filters: { search_domain_filter: ['simonwillison.net'], search_recency_filter: 'year' },
					},
				],
				preset: 'fast',
			},
		],
	])('accepts %s', async (_name, fields) => {
		const r = await agent({
			input: [{ role: 'user', content: 'What is the capital of France? One sentence.' }],
			...fields,
		});
		expect(r.status).toBe(200);
		expect(searchItem(r.json)).toBeDefined();
	});

	it('accepts the docs-only fields with acceptDocsOnlyFields, and checks their ranges', async () => {
		sb.configure({ acceptDocsOnlyFields: true });
		const r = await agent({
			...base,
			temperature: 2,
			top_p: 0,
			tool_choice: 'auto',
			parallel_tool_calls: false,
			max_tool_calls: 3,
			tools: [{ type: 'web_search', filters: { search_language_filter: ['en', 'fr'] } }],
		});
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({ temperature: 2, top_p: 0, parallel_tool_calls: false });
		for (const [body, type] of [
			[{ ...base, temperature: 2.5 }, 'invalid_parameter'],
			[{ ...base, top_p: 1.5 }, 'invalid_parameter'],
			[{ ...base, tool_choice: 'always' }, 'invalid_parameter'],
			[{ ...base, temperature: 'hot' }, 'invalid_request'],
		] as const) {
			expectEnvelope(await agent(body), 400, type);
		}
		// never Agent fields or values, switch or not
		const maxResults = await agent({ ...base, tools: [{ type: 'web_search', max_results: 5 }] });
		expectEnvelope(maxResults, 400, 'invalid_request', 'max_results');
		expectEnvelope(
			await agent({ ...base, reasoning: { effort: 'max' } }),
			400,
			'invalid_parameter',
		);

		sb.configure({ acceptDocsOnlyFields: false });
		const refused = await agent({ ...base, temperature: 0.2 });
		expect(refused.json).toEqual({
			error: {
				message: 'invalid request body: json: unknown field "temperature"',
				type: 'invalid_request',
				code: 400,
				param: 'temperature',
			},
		});
	});
});

describe('Agent API: streaming', () => {
	it('streams the documented events, with event: lines, gaps and no [DONE]', async () => {
		const r = await ask('What is a neutron star?', { stream: true });
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
		expect(r.text).not.toContain('[DONE]');
		const events = parseSse(r.text);
		for (const e of events) expect(e.event).toBe(e.data.type);
		const types = events.map((e) => e.data.type);
		expect(types.slice(0, 7)).toEqual([
			'response.created',
			'response.in_progress',
			'response.output_item.added',
			'response.reasoning.search_queries',
			'response.reasoning.search_results',
			'response.output_item.done',
			'response.output_item.added',
		]);
		const deltas = events.filter((e) => e.data.type === 'response.output_text.delta');
		expect(deltas.length).toBeGreaterThanOrEqual(3);
		expect(types.slice(-3)).toEqual([
			'response.output_text.done',
			'response.output_item.done',
			'response.completed',
		]);
		expect(types.filter((t) => t === 'response.completed')).toHaveLength(1);

		const seqs = events.map((e) => e.data.sequence_number);
		for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
		expect(seqs.some((s, i) => i > 0 && s - seqs[i - 1] > 1)).toBe(true);

		const [created, inProgress, call, queries, results] = events.map((e) => e.data);
		for (const shell of [created.response, inProgress.response]) {
			expect(shell).toMatchObject({
				status: 'in_progress',
				output: [],
				usage: null,
				completed_at: null,
				model: 'openai/gpt-5.1',
			});
		}
		// the server-side search call comes first, and the search events point at it
		expect(call.item).toMatchObject({
			type: 'function_call',
			name: 'search_web',
			status: 'completed',
		});
		expect(call.item.call_id).toMatch(/^call_/);
		expect(call.item.id).toMatch(/^fc_/);
		expect(JSON.parse(call.item.arguments).queries).toEqual(queries.queries);
		expect(queries).toMatchObject({ call_id: call.item.call_id, thought: expect.any(String) });
		expect(results).toMatchObject({ call_id: call.item.call_id, thought: expect.any(String) });
		expect(events[6].data.item).toMatchObject({ type: 'message', content: null });

		const text = deltas.map((e) => e.data.delta).join('');
		const done = events.find((e) => e.data.type === 'response.output_text.done')!.data;
		expect(done.text).toBe(text);
		const final = events[events.length - 1].data.response;
		expect(final.status).toBe('completed');
		expect(final.output.map((o: Json) => o.type)).toEqual(['search_results', 'message']);
		expect(messageText(final)).toBe(text);
		expect(final.usage.total_tokens).toBeGreaterThan(0);
		expect(text).toContain('"What is a neutron star?"');
		expect(results.results).toEqual(searchItem(final).results);
		expect(sb.requests()[0].stream).toBe(true);
	});

	it('names the preset as the model until the run is done', async () => {
		const r = await agent({ preset: 'fast', input: 'hello', stream: true });
		const events = parseSse(r.text).map((e) => e.data);
		expect(events[0].response.model).toBe('fast');
		expect(events[1].response.model).toBe('fast');
		expect(events[events.length - 1].response.model).toBe('perplexity/sonar');
	});

	it('streams without search events when no search happens', async () => {
		const r = await agent({ model: 'openai/gpt-5.1', input: 'Say hi', stream: true });
		const types = parseSse(r.text).map((e) => e.data.type);
		expect(types).not.toContain('response.reasoning.search_queries');
		expect(types[2]).toBe('response.output_item.added');
	});
});

describe('the shapes of the recordings', () => {
	// The recorded request: preset fast, the web_search tool, a 1024-token limit.
	const recordedRequest = {
		preset: 'fast',
		input: 'Find the official TypeScript website and describe TypeScript in one sentence.',
		tools: [{ type: 'web_search' }],
		max_output_tokens: 1024,
	};

	it('Agent: the non-streamed body has the recorded keys at every depth', async () => {
		const r = await agent(recordedRequest);
		expect(keyPaths(r.json)).toEqual(keyPaths(readRecording('vercel-agent-web-search.json')));
	});

	it('Agent: the stream has the recorded event order and keys per event type', async () => {
		const recorded = readEvents('vercel-agent-web-search.chunks.txt');
		const events = parseSse((await agent({ ...recordedRequest, stream: true })).text).map(
			(e) => e.data,
		);
		const types = (list: Json[]) => list.map((e) => e.type);
		expect(eventOrder(types(events))).toEqual(eventOrder(types(recorded)));
		for (const type of new Set(types(recorded))) {
			const expected = keyPathsOfAll(recorded.filter((e) => e.type === type));
			// The recorded stream's run had no cache writes, so it left out the zero cost.
			if (type === 'response.completed') expected.push('response.usage.cost.cache_creation_cost');
			expect({ type, keys: keyPathsOfAll(events.filter((e) => e.type === type)) }).toEqual({
				type,
				keys: expected.sort(),
			});
		}
		// the terminal response has the non-streamed body's shape
		expect(keyPaths(events[events.length - 1].response)).toEqual(
			keyPaths(readRecording('vercel-agent-web-search.json')),
		);
	});

	const sonarRecordings = [
		'vercel-sonar-perplexity-citations',
		'vercel-sonar-perplexity-text',
		'vercel-sonar-usage-raw-live',
	];
	// Documented, not recorded: Sonar search_results.
	const withoutSearchResults = (keys: string[]) => keys.filter((k) => !/^search_results/.test(k));

	it('Sonar: the body has the recorded keys, plus the documented search_results', async () => {
		const body = (await chat('How many people live in San Francisco?')).json;
		const recorded = keyPathsOfAll(sonarRecordings.map((name) => readRecording(`${name}.json`)));
		expect(withoutSearchResults(keyPaths(body))).toEqual(recorded);
		expect(keyPaths(body)).toContain('search_results[].url');
	});

	it('Sonar: chunks and the done chunk have the recorded keys', async () => {
		const recorded = sonarRecordings.flatMap((name) => readEvents(`${name}.chunks.txt`));
		const events = parseSse(
			(await chat('How many people live in San Francisco?', { stream: true })).text,
		)
			.map((e) => e.data)
			.filter((e) => e !== '[DONE]');
		for (const object of ['chat.completion.chunk', 'chat.completion.done']) {
			const ours = keyPathsOfAll(events.filter((e) => e.object === object));
			const theirs = keyPathsOfAll(recorded.filter((e) => e.object === object));
			expect({ object, keys: withoutSearchResults(ours) }).toEqual({ object, keys: theirs });
		}
		const done = events[events.length - 1];
		expect(done.choices[0]).toEqual({
			index: 0,
			delta: { role: 'assistant', content: '' },
			finish_reason: 'stop',
		});
		// the running usage grows with the text, the request fee comes with the done chunk
		const chunks = events.slice(0, -1);
		expect(chunks[0].usage.completion_tokens).toBeLessThan(done.usage.completion_tokens);
		expect(chunks[0].usage.cost).not.toHaveProperty('request_cost');
		expect(done.usage.cost.request_cost).toBeGreaterThan(0);
		for (const c of chunks) expect(c.citations).toEqual(done.citations);
	});
});

describe('Agent API: background runs', () => {
	it('queues, stays in progress for backgroundMs, then completes', async () => {
		const created = await ask('What is a comet?', { background: true });
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({ status: 'queued', output: [], background: true });
		const id = created.json.id;

		const early = await call('GET', `/v1/responses/${id}`);
		expect(early.json).toMatchObject({ id, status: 'in_progress', output: [], usage: null });

		await sleep(200);
		const done = await call('GET', `/v1/responses/${id}`);
		expect(done.json.status).toBe('completed');
		expect(done.json.id).toBe(id);
		expect(messageText(done.json)).toContain('"What is a comet?"');
		expect(searchItem(done.json)).toBeDefined();
		expect(sb.stats().byPath['/v1/responses/{id}']).toBe(2);
	});

	it('404s unknown ids and needs auth to poll', async () => {
		expectEnvelope(await call('GET', '/v1/responses/resp_missing'), 404, 'not_found');
		const created = await ask('hi', { background: true });
		expect((await call('GET', `/v1/responses/${created.json.id}`, undefined, null)).status).toBe(
			401,
		);
	});

	it('cancels a run in progress, and refuses to cancel a finished one', async () => {
		const a = await ask('What is a meteor?', { background: true });
		const cancelled = await call('POST', `/v1/responses/${a.json.id}/cancel`);
		expect(cancelled.status).toBe(200);
		expect(cancelled.json).toEqual({ response_id: a.json.id, status: 'cancelling' });
		expect((await call('GET', `/v1/responses/${a.json.id}`)).json.status).toBe('cancelled');
		await sleep(200);
		expect((await call('GET', `/v1/responses/${a.json.id}`)).json.status).toBe('cancelled');

		const b = await ask('What is a moon?', { background: true });
		await sleep(200);
		const late = await call('POST', `/v1/responses/${b.json.id}/cancel`);
		expectEnvelope(late, 400, 'invalid_request');
		expect((await call('GET', `/v1/responses/${b.json.id}`)).json.status).toBe('completed');
		expectEnvelope(await call('POST', '/v1/responses/nope/cancel'), 404, 'not_found');
	});

	it('ends the way a response fault says', async () => {
		sb.addFault({ fault: 'failed', times: 1, code: 'upstream_error', message: 'model crashed' });
		const created = await ask('What is a star?', { background: true });
		expect(created.json.status).toBe('queued');
		await sleep(200);
		const done = await call('GET', `/v1/responses/${created.json.id}`);
		expect(done.json.status).toBe('failed');
		expect(done.json.error).toMatchObject({ code: 'upstream_error', message: 'model crashed' });
	});
});

describe('Sonar chat completions', () => {
	it('returns the seed wire format with citations and usage', async () => {
		const r = await chat('Who discovered penicillin?');
		expect(r.status).toBe(200);
		const c = r.json;
		expect(c.object).toBe('chat.completion');
		expect(c.model).toBe('sonar');
		expect(typeof c.id).toBe('string');
		expect(typeof c.created).toBe('number');
		expect(c.citations.length).toBeGreaterThanOrEqual(3);
		expect(c.citations).toEqual(c.search_results.map((s: Json) => s.url));
		c.search_results.forEach((s: Json, i: number) => {
			const dated = i % 2 === 0 ? ['date'] : [];
			expect(Object.keys(s).sort()).toEqual(
				[...dated, 'last_updated', 'snippet', 'source', 'title', 'url'].sort(),
			);
		});
		expect(c.images).toBeUndefined();
		expect(c.related_questions).toBeUndefined();
		expect(c.choices).toHaveLength(1);
		expect(c.choices[0]).toMatchObject({
			index: 0,
			finish_reason: 'stop',
			message: { role: 'assistant' },
		});
		expect(c.choices[0].message.content).toContain('"Who discovered penicillin?"');
		expect(c.choices[0].message.content).toContain('[1]');
		const u = c.usage;
		expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
		expect(u.search_context_size).toBe('low');
		// as recorded live: no reasoning_tokens for a model that does not reason
		expect(u).not.toHaveProperty('reasoning_tokens');
		expect(u.cost.total_cost).toBeCloseTo(
			u.cost.input_tokens_cost + u.cost.output_tokens_cost + u.cost.request_cost,
			6,
		);
	});

	it('serves /v1/sonar too, and answers the last user turn', async () => {
		const r = await call('POST', '/v1/sonar', {
			model: 'sonar-pro',
			messages: [
				{ role: 'system', content: 'Be precise.' },
				{ role: 'user', content: 'What is Go?' },
				{ role: 'assistant', content: 'A language.' },
				{ role: 'user', content: [{ type: 'text', text: 'Who made it?' }] },
			],
		});
		expect(r.status).toBe(200);
		expect(r.json.model).toBe('sonar-pro');
		expect(r.json.choices[0].message.content).toContain('"Who made it?"');
	});

	it('returns images and related questions only when asked', async () => {
		const r = await chat('What is the Eiffel Tower?', {
			return_images: true,
			return_related_questions: true,
		});
		expect(r.json.images.length).toBeGreaterThan(0);
		expect(r.json.images[0]).toMatchObject({
			width: expect.any(Number),
			height: expect.any(Number),
		});
		expect(r.json.images[0].image_url).toMatch(/^https:\/\//);
		expect(r.json.related_questions).toHaveLength(3);
	});

	it('skips search with disable_search', async () => {
		const r = await chat('What is the Eiffel Tower?', { disable_search: true });
		expect(r.json.citations).toEqual([]);
		expect(r.json.search_results).toEqual([]);
		expect(r.json.usage.cost.request_cost).toBe(0);
		expect(r.json.choices[0].message.content).not.toContain('[1]');
	});

	it('puts a <think> block first for reasoning models, also before JSON', async () => {
		for (const model of ['sonar-reasoning-pro', 'sonar-reasoning']) {
			const r = await sonar({
				model,
				messages: [{ role: 'user', content: 'Why is ice slippery?' }],
			});
			const content: string = r.json.choices[0].message.content;
			expect(content.startsWith('<think>')).toBe(true);
			expect(content.indexOf('</think>')).toBeLessThan(content.indexOf('You asked'));
			expect(r.json.usage.reasoning_tokens).toBeGreaterThan(0);
		}
		const structured = await sonar({
			model: 'sonar-reasoning-pro',
			messages: [{ role: 'user', content: 'Name a river' }],
			response_format: {
				type: 'json_schema',
				json_schema: {
					schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
				},
			},
		});
		const content: string = structured.json.choices[0].message.content;
		const json = content.slice(content.indexOf('</think>') + '</think>'.length).trim();
		expect(JSON.parse(json)).toEqual({ name: expect.any(String) });
	});

	it('truncates with finish_reason length when max_tokens is short', async () => {
		const full = (await chat('What is a glacier?')).json.choices[0].message.content;
		const r = await chat('What is a glacier?', { max_tokens: 10 });
		expect(r.json.choices[0].finish_reason).toBe('length');
		const content = r.json.choices[0].message.content;
		expect(content.length).toBeLessThanOrEqual(40);
		expect(full.startsWith(content)).toBe(true);
		expect(r.json.usage.completion_tokens).toBeLessThanOrEqual(10);
	});

	it('ignores unknown fields and coerces numeric strings, as pydantic does', async () => {
		const r = await chat('hi', {
			something_new: 1,
			temperature: '0.5',
			max_tokens: '500',
			stream: 'false',
		});
		expect(r.status).toBe(200);
		expect(r.json.object).toBe('chat.completion');
	});

	it.each([
		['an unknown model', { model: 'gpt-4' }],
		['an Agent model id', { model: 'perplexity/sonar' }],
	])('rejects %s with invalid_model', async (_name, extra) => {
		expectEnvelope(await chat('hi', extra), 400, 'invalid_model');
	});

	it.each([
		[
			'two user turns',
			[
				{ role: 'user', content: 'a' },
				{ role: 'user', content: 'b' },
			],
		],
		[
			'a system message after a user turn',
			[
				{ role: 'user', content: 'a' },
				{ role: 'system', content: 's' },
				{ role: 'user', content: 'b' },
			],
		],
		[
			'an assistant turn first',
			[
				{ role: 'assistant', content: 'a' },
				{ role: 'user', content: 'b' },
			],
		],
		[
			'an assistant turn last',
			[
				{ role: 'user', content: 'a' },
				{ role: 'assistant', content: 'b' },
			],
		],
		['no messages', []],
	])('rejects %s with invalid_message', async (_name, messages) => {
		const r = await sonar({ model: 'sonar', messages });
		expectEnvelope(r, 400, 'invalid_message');
		expect(r.json.error.message.length).toBeGreaterThan(10);
	});

	it('accepts system messages first, then alternating turns', async () => {
		const r = await sonar({
			model: 'sonar',
			messages: [
				{ role: 'system', content: 'a' },
				{ role: 'system', content: 'b' },
				{ role: 'user', content: 'c' },
				{ role: 'assistant', content: 'd' },
				{ role: 'user', content: 'e' },
			],
		});
		expect(r.status).toBe(200);
	});

	it.each([
		['max_tokens 0', { max_tokens: 0 }, 'invalid_parameter'],
		['max_tokens 128001', { max_tokens: 128001 }, 'invalid_parameter'],
		['temperature 2.1', { temperature: 2.1 }, 'invalid_parameter'],
		['temperature -1', { temperature: -1 }, 'invalid_parameter'],
		['top_p 1.1', { top_p: 1.1 }, 'invalid_parameter'],
		['top_k 2049', { top_k: 2049 }, 'invalid_parameter'],
		['presence_penalty 2.5', { presence_penalty: 2.5 }, 'invalid_parameter'],
		['frequency_penalty 0', { frequency_penalty: 0 }, 'invalid_parameter'],
		['search_mode news', { search_mode: 'news' }, 'invalid_parameter'],
		['reasoning_effort huge', { reasoning_effort: 'huge' }, 'invalid_parameter'],
		['recency decade', { search_recency_filter: 'decade' }, 'invalid_parameter'],
		['a bad date', { search_after_date_filter: '2025/01/01' }, 'invalid_date_format'],
		[
			'recency with a date',
			{ search_recency_filter: 'month', search_after_date_filter: '01/01/2025' },
			'invalid_parameter',
		],
		[
			'a domain with a scheme',
			{ search_domain_filter: ['http://bbc.com'] },
			'invalid_search_domain_filter',
		],
	])('rejects %s with a 400', async (_name, extra, type) => {
		expectEnvelope(await chat('hi', extra), 400, type);
	});

	it('accepts the documented ranges at their bounds', async () => {
		const r = await chat('What is tea?', {
			max_tokens: 128000,
			temperature: 0,
			top_p: 1,
			top_k: 2048,
			presence_penalty: 2,
			frequency_penalty: 0.5,
			search_mode: 'academic',
			search_domain_filter: ['nature.com'],
			search_after_date_filter: '1/1/2023',
			web_search_options: { search_context_size: 'high', user_location: { country: 'US' } },
		});
		expect(r.status).toBe(200);
		expect(r.json.usage.search_context_size).toBe('high');
		for (const url of r.json.citations) expect(url).toMatch(/^https:\/\/www\.nature\.com\//);
	});

	it('answers wrong types with a FastAPI 422 listing every field', async () => {
		const r = await chat('hi', {
			temperature: 'hot',
			max_tokens: 'ten',
			stream: 'maybe',
			top_k: 1.5,
		});
		expect(r.status).toBe(422);
		const byField = Object.fromEntries(r.json.detail.map((d: Json) => [d.loc.join('.'), d]));
		expect(byField['body.temperature']).toMatchObject({ type: 'float_parsing', input: 'hot' });
		expect(byField['body.max_tokens'].type).toBe('int_parsing');
		expect(byField['body.stream'].type).toBe('bool_parsing');
		expect(byField['body.top_k'].type).toBe('int_from_float');
		for (const d of r.json.detail) expect(typeof d.msg).toBe('string');

		const missing = await sonar({ model: 'sonar' });
		expect(missing.status).toBe(422);
		expect(missing.json.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'messages'] });
		const role = await sonar({ model: 'sonar', messages: [{ role: 'bot', content: 'x' }] });
		expect(role.status).toBe(422);
		expect(role.json.detail[0].loc).toEqual(['body', 'messages', 0, 'role']);
		expect((await sonar('not json')).status).toBe(422);
	});

	it('streams chunks, a done chunk with citations and usage, then [DONE]', async () => {
		const r = await chat('What is a volcano?', { stream: true });
		expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
		expect(r.text).not.toMatch(/^event:/m);
		const events = parseSse(r.text);
		expect(events[events.length - 1].data).toBe('[DONE]');
		const done = events[events.length - 2].data;
		const chunks = events.slice(0, -2).map((e) => e.data);
		expect(chunks.length).toBeGreaterThanOrEqual(3);
		for (const c of chunks) {
			expect(c.object).toBe('chat.completion.chunk');
			expect(c.id).toBe(done.id);
			expect(c.choices[0].finish_reason).toBeNull();
			expect(c.citations).toEqual(done.citations);
			expect(c.usage.prompt_tokens).toBe(done.usage.prompt_tokens);
		}
		const text = chunks.map((c) => c.choices[0].delta.content).join('');
		expect(done.object).toBe('chat.completion.done');
		expect(done.choices[0].finish_reason).toBe('stop');
		expect(done.choices[0]).not.toHaveProperty('message');
		const plain = (await chat('What is a volcano?')).json;
		expect(text).toBe(plain.choices[0].message.content);
		expect(done.usage).toEqual(plain.usage);
		expect(done.citations.length).toBeGreaterThan(0);
		expect(done.search_results.length).toBe(done.citations.length);
		expect(done.usage.completion_tokens).toBeGreaterThan(0);

		sb.configure({ sonarDone: false });
		const quiet = parseSse((await chat('What is a volcano?', { stream: true })).text);
		expect(quiet[quiet.length - 1].data.object).toBe('chat.completion.done');
	});
});

describe('faults', () => {
	const plain = () => ask('What is a fault?');
	const streamed = () => ask('What is a fault?', { stream: true });

	it('rate_limit: 429 envelope, remaining 0, Retry-After and retry-after-ms when asked', async () => {
		sb.addFault({ fault: 'rate_limit', times: 1, retryAfter: 3 });
		sb.addFault({ fault: 'rate_limit', times: 1, retryAfterMs: 1500 });
		const now = Math.floor(Date.now() / 1000);
		const a = await plain();
		expectEnvelope(a, 429, 'request_rate_limit_exceeded');
		expect(a.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(Number(a.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(now + 2);
		expect(a.headers.get('retry-after')).toBe('3');
		expect(a.headers.get('retry-after-ms')).toBeNull();
		const b = await plain();
		expect(b.status).toBe(429);
		expect(b.headers.get('retry-after-ms')).toBe('1500');
		expect(b.headers.get('retry-after')).toBeNull();
		expect((await plain()).status).toBe(200);
		expect(sb.requests().map((e) => e.fault)).toEqual(['rate_limit', 'rate_limit', null]);
	});

	it.each([
		['server_error', 500, 'internal_error'],
		['unavailable', 503, 'service_unavailable'],
		['bad_request', 400, 'invalid_request'],
	])('%s answers %d %s', async (fault, status, type) => {
		sb.addFault({ fault: fault as FaultRule['fault'], times: 1 });
		expectEnvelope(await plain(), status, type);
		expect((await plain()).status).toBe(200);
	});

	it.each([
		['bad_gateway', 502],
		['html_401', 401],
	])('%s answers %d with an HTML page', async (fault, status) => {
		sb.addFault({ fault: fault as FaultRule['fault'] });
		const r = await plain();
		expect(r.status).toBe(status);
		expect(r.headers.get('content-type')).toMatch(/^text\/html/);
		expect(r.text).toContain(`<title>${status}`);
		expect(r.json).toBeUndefined();
	});

	it('fastapi_422 answers a FastAPI detail list', async () => {
		sb.addFault({ fault: 'fastapi_422', times: 1 });
		const r = await chat('hi');
		expect(r.status).toBe(422);
		expect(r.json.detail[0]).toMatchObject({ loc: ['body', 'messages'], type: 'missing' });
	});

	it('reset sends headers and part of the body, then destroys the connection', async () => {
		sb.addFault({ fault: 'reset', times: 2 });
		await expect(plain()).rejects.toThrow();
		await expect(streamed()).rejects.toThrow();
		expect((await plain()).status).toBe(200);
		const [json, sse] = sb.requests();
		expect(json).toMatchObject({ fault: 'reset', status: 200 });
		expect(sse).toMatchObject({ fault: 'reset', stream: true });
	});

	it('malformed_json answers 200 with a truncated JSON body', async () => {
		sb.addFault({ fault: 'malformed_json', times: 1 });
		const r = await plain();
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/json');
		expect(r.text.startsWith('{"background":false,')).toBe(true);
		expect(() => JSON.parse(r.text)).toThrow();
	});

	it('failed answers 200 with status failed and an error', async () => {
		sb.addFault({ fault: 'failed', times: 2 });
		const r = await plain();
		expect(r.status).toBe(200);
		expect(r.json).toMatchObject({ status: 'failed', output: [] });
		expect(r.json.error).toEqual({
			code: expect.any(String),
			message: expect.any(String),
			type: expect.any(String),
		});
		const events = parseSse((await streamed()).text);
		const last = events[events.length - 1].data;
		expect(last.type).toBe('response.failed');
		expect(last.response.status).toBe('failed');
		expect(last.error.message).toBe(r.json.error.message);
	});

	it('cancelled answers 200 with status cancelled', async () => {
		sb.addFault({ fault: 'cancelled', times: 2 });
		expect((await plain()).json.status).toBe('cancelled');
		const events = parseSse((await streamed()).text);
		expect(events[events.length - 1].data.type).toBe('response.cancelled');
	});

	it('incomplete cuts the answer on both APIs', async () => {
		const full = messageText((await plain()).json);
		sb.addFault({ fault: 'incomplete', times: 3 });
		const r = await plain();
		expect(r.json.status).toBe('incomplete');
		expect(r.json.incomplete_details.reason).toBe('max_output_tokens');
		const partial = messageText(r.json);
		expect(partial.length).toBeLessThan(full.length);
		expect(full.startsWith(partial)).toBe(true);
		const s = await chat('What is a fault?');
		expect(s.json.choices[0].finish_reason).toBe('length');
		const events = parseSse((await streamed()).text);
		expect(events[events.length - 1].data.type).toBe('response.incomplete');
	});

	it('slow_first_byte waits before any byte, then answers normally', async () => {
		sb.addFault({ fault: 'slow_first_byte', times: 1, delayMs: 300 });
		const r = await plain();
		expect(r.status).toBe(200);
		expect(r.ms).toBeGreaterThanOrEqual(290);
		expect((await plain()).ms).toBeLessThan(250);
	});

	it('stream_cut stops part-way with no terminal event and closes', async () => {
		sb.addFault({ fault: 'stream_cut', times: 2 });
		const r = await streamed();
		expect(r.status).toBe(200);
		expect(r.headers.get('connection')).toBe('close');
		const types = parseSse(r.text).map((e) => e.data.type);
		expect(types).toContain('response.output_text.delta');
		expect(types).not.toContain('response.completed');
		expect(types).not.toContain('response.output_text.done');
		const s = await chat('What is a fault?', { stream: true });
		const data = parseSse(s.text).map((e) => e.data);
		expect(data.length).toBeGreaterThan(0);
		expect(data.some((d) => d === '[DONE]' || d.object === 'chat.completion.done')).toBe(false);
	});

	it('stream_error ends with a bare error event', async () => {
		sb.addFault({ fault: 'stream_error', times: 2 });
		const events = parseSse((await streamed()).text);
		const last = events[events.length - 1].data;
		expect(last.type).toBe('error');
		expect(last.error.message).toEqual(expect.any(String));
		expect(events.map((e) => e.data.type)).not.toContain('response.completed');
		const sonarEvents = parseSse((await chat('What is a fault?', { stream: true })).text);
		expect(sonarEvents[sonarEvents.length - 1].data.error.type).toBe('internal_error');
	});

	it('spends a rule only on requests it applies to', async () => {
		sb.addFault({ fault: 'stream_cut', times: 1 });
		sb.addFault({ fault: 'failed', times: 1 });
		expect((await chat('hi')).status).toBe(200); // neither applies to a plain Sonar call
		expect((await plain()).json.status).toBe('failed');
		expect(parseSse((await streamed()).text).map((e) => e.data.type)).not.toContain(
			'response.completed',
		);
		expect(sb.faults().map((f) => [f.fault, f.hits, f.remaining])).toEqual([
			['stream_cut', 1, 0],
			['failed', 1, 0],
		]);
	});

	it('matches on path, prompt and model', async () => {
		sb.addFault({ fault: 'server_error', match: { path: '/chat/completions' } });
		sb.addFault({ fault: 'unavailable', match: { prompt: 'cursed' } });
		sb.addFault({ fault: 'bad_request', match: { model: 'openai/gpt-5-mini' } });
		sb.addFault({ fault: 'rate_limit', match: { path: '/v1/responses/*' } });
		expect((await chat('hi')).status).toBe(500);
		expect((await ask('a cursed question')).status).toBe(503);
		expect((await ask('fine', { model: 'openai/gpt-5-mini' })).status).toBe(400);
		const bg = await ask('fine', { background: true });
		expect(bg.status).toBe(200);
		expect((await call('GET', `/v1/responses/${bg.json.id}`)).status).toBe(429);
		expect((await ask('fine')).status).toBe(200);
		expect(sb.stats().byFault).toEqual({
			server_error: 1,
			unavailable: 1,
			bad_request: 1,
			rate_limit: 1,
		});
	});

	it('rejects unknown faults and bad rules', () => {
		expect(() => sb.addFault({ fault: 'explode' } as unknown as FaultRule)).toThrow(
			/unknown fault/,
		);
		expect(() => sb.addFault({ fault: 'reset', times: 0 })).toThrow(/times/);
		expect(() =>
			sb.addFault({ fault: 'reset', match: { host: 'x' } } as unknown as FaultRule),
		).toThrow(/match/);
	});
});

describe('replay', () => {
	/** The body as it arrived, and how many reads it took. */
	async function raw(route: string, body: Json) {
		const res = await fetch(sb.url + route, {
			method: 'POST',
			headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const parts: Buffer[] = [];
		for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
			parts.push(Buffer.from(part));
		}
		return { res, bytes: Buffer.concat(parts), reads: parts.length };
	}
	const file = (name: string) => recordingPath(name);
	const read = (name: string) => readFileSync(file(name));
	const lines = (name: string) =>
		read(name)
			.toString('utf8')
			.split('\n')
			.filter((line) => line.trim());

	it('serves a recorded body byte for byte, whatever the request', async () => {
		sb.addFault({ fault: 'replay', times: 1, file: file('vercel-agent-web-search.json') });
		const { res, bytes } = await raw('/v1/agent', { nonsense: true });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/json');
		expect(bytes.equals(read('vercel-agent-web-search.json'))).toBe(true);
		expect(sb.requests()[0].fault).toBe('replay');
	});

	it('rebuilds the SSE envelope of a chunks file: event and data for Agent, data for Sonar', async () => {
		sb.addFault({ fault: 'replay', times: 1, file: file('vercel-agent-web-search.chunks.txt') });
		const agentStream = await raw('/v1/agent', { stream: true });
		expect(agentStream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
		const agentLines = lines('vercel-agent-web-search.chunks.txt');
		expect(agentStream.bytes.toString('utf8')).toBe(
			agentLines.map((l) => `event: ${JSON.parse(l).type}\ndata: ${l}\n\n`).join(''),
		);

		const sonarFile = 'vercel-sonar-usage-raw-live.chunks.txt';
		sb.addFault({ fault: 'replay', times: 1, file: file(sonarFile), crlf: true });
		const sonarStream = await raw('/chat/completions', { stream: true });
		expect(sonarStream.bytes.toString('utf8')).toBe(
			lines(sonarFile)
				.map((l) => `data: ${l}\r\n\r\n`)
				.join(''),
		);
	});

	it('writes in many small pieces with splitSeed, the same bytes in the end', async () => {
		const name = 'vercel-agent-web-search.json';
		sb.addFault({ fault: 'replay', times: 1, file: file(name), splitSeed: 7 });
		const split = await raw('/v1/agent', {});
		expect(split.bytes.equals(read(name))).toBe(true);
		expect(split.reads).toBeGreaterThan(1);
	});

	it('cuts inside multi-byte UTF-8 characters, the same way for the same seed', () => {
		// replay.js has no type declarations; this is its one helper a test calls directly
		const { pieces } = require('./replay') as {
			pieces: (bytes: Buffer, seed?: number) => Buffer[];
		};
		const bytes = read('vercel-agent-web-search.chunks.txt');
		const cut = pieces(bytes, 5);
		expect(Buffer.concat(cut).equals(bytes)).toBe(true);
		expect(cut.every((p) => p.length >= 1 && p.length <= 32)).toBe(true);
		// a piece that starts with a UTF-8 continuation byte was cut inside a character
		expect(cut.filter((p) => (p[0] & 0xc0) === 0x80).length).toBeGreaterThan(0);
		expect(pieces(bytes, 5)).toEqual(cut);
		expect(pieces(bytes, 6)).not.toEqual(cut);
		expect(pieces(bytes)).toEqual([bytes]);
	});

	it('takes a body or chunks inline, and refuses a bad rule when it is added', async () => {
		sb.addFault({ fault: 'replay', times: 1, body: { id: 'x' } });
		expect((await raw('/chat/completions', {})).bytes.toString()).toBe('{"id":"x"}');
		sb.addFault({ fault: 'replay', times: 1, chunks: [{ type: 'response.created' }, '{"a":1}'] });
		expect((await raw('/v1/responses', {})).bytes.toString()).toBe(
			'event: response.created\ndata: {"type":"response.created"}\n\ndata: {"a":1}\n\n',
		);
		expect(() => sb.addFault({ fault: 'replay', file: '/nowhere.json' })).toThrow(/ENOENT/);
		expect(() => sb.addFault({ fault: 'replay' })).toThrow(/exactly one of file, body or chunks/);
		expect(() => sb.addFault({ fault: 'replay', body: '{}', splitSeed: 1.5 })).toThrow(/splitSeed/);
	});
});

describe('prompt directives', () => {
	it('fail the same prompt N times, then succeed', async () => {
		const q = 'What is a retry? [[sandbox:rate_limit times=2]]';
		expect((await ask(q)).status).toBe(429);
		expect((await ask(q)).status).toBe(429);
		const ok = await ask(q);
		expect(ok.status).toBe(200);
		expect(messageText(ok.json)).toContain('"What is a retry?"');
		expect(messageText(ok.json)).not.toContain('[[sandbox:');
		expect(sb.requests()[0].prompt).toBe(q);
		// a different prompt text has its own count
		expect((await ask('Another? [[sandbox:rate_limit times=2]]')).status).toBe(429);
	});

	it('apply every time without times, and carry parameters', async () => {
		const q = 'Broken [[sandbox:server_error]]';
		for (let i = 0; i < 3; i++) expect((await ask(q)).status).toBe(500);
		const r = await ask('Wait [[sandbox:rate_limit times=1 retryAfter=7]]');
		expect(r.headers.get('retry-after')).toBe('7');
	});

	it('work in system messages, on Sonar, and for response faults', async () => {
		const s = await sonar({
			model: 'sonar',
			messages: [
				{ role: 'system', content: '[[sandbox:incomplete times=1]]' },
				{ role: 'user', content: 'What is a lake?' },
			],
		});
		expect(s.json.choices[0].finish_reason).toBe('length');
		const a = await ask('What is a sea? [[sandbox:failed times=1]]');
		expect(a.json.status).toBe('failed');
		expect((await ask('What is a sea? [[sandbox:failed times=1]]')).json.status).toBe('completed');
	});

	it('set per-request latency', async () => {
		const slow = await ask('Slow one [[sandbox:latency=300]]');
		expect(slow.status).toBe(200);
		expect(slow.ms).toBeGreaterThanOrEqual(290);
		expect((await ask('Fast one')).ms).toBeLessThan(250);
	});
});

describe('latency and the rate limiter', () => {
	it('delays generated answers by latencyMs', async () => {
		sb.configure({ latencyMs: 250 });
		expect((await ask('hi')).ms).toBeGreaterThanOrEqual(240);
		expect((await call('GET', '/v1/models')).ms).toBeLessThan(200);
	});

	it('answers 429 over the configured limit and recovers in the next window', async () => {
		sb.configure({ rateLimit: { limit: 3, windowMs: 1000 } });
		// Windows lie on the clock: start just after one begins, so that all four fall in it.
		const windowStart = (Math.floor(Date.now() / 1000) + 1) * 1000;
		await sleep(windowStart + 20 - Date.now());
		const counts = [];
		for (let i = 0; i < 3; i++) {
			const r = await ask('hi');
			expect(r.status).toBe(200);
			expect(r.headers.get('x-ratelimit-limit')).toBe('3');
			expect(r.headers.get('x-ratelimit-reset')).toBe(String(windowStart / 1000 + 1));
			counts.push([r.headers.get('x-ratelimit-remaining'), r.headers.get('x-ratelimit-used')]);
		}
		expect(counts).toEqual([
			['2', '1'],
			['1', '2'],
			['0', '3'],
		]);
		const limited = await ask('hi');
		expectEnvelope(limited, 429, 'request_rate_limit_exceeded');
		expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(limited.headers.get('x-ratelimit-reset')).toBe(String(windowStart / 1000 + 1));
		expect(sb.requests()[3].fault).toBe('rate_limiter');
		await sleep(windowStart + 1000 - Date.now());
		expect((await ask('hi')).status).toBe(200);
	});
});

describe('control endpoints over HTTP', () => {
	const control = (method: string, route: string, body?: unknown) =>
		call(method, `/__sandbox/${route}`, body, null);

	it('add faults, report requests and stats, configure and reset', async () => {
		const added = await control('POST', 'faults', { fault: 'server_error', times: 1 });
		expect(added.json).toEqual({ ok: true, id: 1 });
		expect((await ask('What is HTTP?')).status).toBe(500);
		expect((await ask('What is HTTP?')).status).toBe(200);
		expect((await control('GET', 'faults')).json[0]).toMatchObject({
			fault: 'server_error',
			hits: 1,
			remaining: 0,
		});

		const log = (await control('GET', 'requests')).json;
		expect(log).toHaveLength(2);
		expect(log[0]).toMatchObject({
			seq: 1,
			method: 'POST',
			path: '/v1/agent',
			status: 500,
			fault: 'server_error',
			auth: 'ok',
			stream: false,
			prompt: 'What is HTTP?',
		});
		expect(log[0].body.input).toBe('What is HTTP?');
		expect(log[0].endedAt).toBeGreaterThanOrEqual(log[0].startedAt);
		expect((await control('GET', 'requests?since=1')).json.map((e: Json) => e.seq)).toEqual([2]);

		const stats = (await control('GET', 'stats')).json;
		expect(stats).toMatchObject({
			total: 2,
			inFlight: 0,
			byPath: { '/v1/agent': 2 },
			byStatus: { '200': 1, '500': 1 },
			byFault: { server_error: 1 },
		});

		const config = await control('POST', 'config', { logBodies: false, latencyMs: 0 });
		expect(config.json).toMatchObject({ logBodies: false, latencyMs: 0, backgroundMs: 150 });
		await ask('Quiet body?');
		const last = sb.requests().pop()!;
		expect(last.body).toBeNull();
		expect(last.prompt).toBe('Quiet body?');

		expectEnvelope(await control('POST', 'config', { latencyMs: -1 }), 400, 'invalid_request');
		expectEnvelope(await control('POST', 'config', { colour: 'red' }), 400, 'invalid_request');
		expectEnvelope(await control('POST', 'faults', { fault: 'nope' }), 400, 'invalid_request');
		expect((await control('GET', 'nothing')).status).toBe(404);

		expect((await control('POST', 'reset')).json).toEqual({ ok: true });
		expect((await control('GET', 'requests')).json).toEqual([]);
		expect((await control('GET', 'faults')).json).toEqual([]);
		expect((await control('GET', 'config')).json.logBodies).toBe(true);
		expect((await control('DELETE', 'faults')).json).toEqual({ ok: true });
	});
});

describe('programmatic API', () => {
	it('reset() restarts ids, log and config', async () => {
		const first = (await ask('hi')).json.id;
		sb.configure({ latencyMs: 5 });
		sb.reset();
		expect(sb.requests()).toEqual([]);
		expect(sb.config().latencyMs).toBe(0);
		expect((await ask('hi')).json.id).toBe(first);
		expect(sb.requests()[0].seq).toBe(1);
	});

	it('configure() rejects unknown keys and bad values', () => {
		expect(() => sb.configure({ nope: 1 } as never)).toThrow(/unknown config key/);
		expect(() => sb.configure({ rateLimit: { limit: 1, windowMs: 0 } })).toThrow(/rateLimit/);
		expect(sb.configure({ rateLimit: null }).rateLimit).toBeNull();
	});

	it('exposes url, port and apiKey', () => {
		expect(sb.url).toBe(`http://127.0.0.1:${sb.port}`);
		expect(sb.apiKey).toBe(KEY);
	});
});

describe('CLI', () => {
	const children: ChildProcess[] = [];
	afterEach(() => {
		// a failed assertion must not leave a server running and jest waiting for it
		for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
	});

	async function startCli(args: string[], env: NodeJS.ProcessEnv = process.env) {
		const child = spawn(process.execPath, [path.join(__dirname, 'cli.js'), ...args], {
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		children.push(child);
		const output = { text: '' };
		child.stdout!.on('data', (d) => (output.text += d));
		const url = await new Promise<string>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no address printed: ${output.text}`)), 5000);
			child.stdout!.on('data', () => {
				const m = /Perplexity sandbox listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.text);
				if (m && output.text.includes('API key')) {
					clearTimeout(timer);
					resolve(m[1]);
				}
			});
		});
		const stop = (signal: NodeJS.Signals) =>
			new Promise<number | null>((resolve) => {
				child.on('exit', (code) => resolve(code));
				child.kill(signal);
			});
		return { url, output, stop };
	}

	it('prints its address and key, answers, and stops on SIGTERM', async () => {
		const cli = await startCli(['--port', '0', '--key', 'cli-key']);
		expect(cli.output.text).toContain('API key: cli-key');
		expect((await fetch(`${cli.url}/v1/models`)).status).toBe(200);
		const post = (key: string) =>
			fetch(`${cli.url}/v1/agent`, {
				method: 'POST',
				headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
				body: JSON.stringify({ model: 'openai/gpt-5.1', input: 'hello cli' }),
			});
		expect((await post('cli-key')).status).toBe(200);
		expect((await post('sandbox-key')).status).toBe(401);
		const docsOnly = await fetch(`${cli.url}/v1/agent`, {
			method: 'POST',
			headers: { authorization: 'Bearer cli-key', 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'openai/gpt-5.1', input: 'hello cli', temperature: 0.2 }),
		});
		expect(docsOnly.status).toBe(400);
		expect(await cli.stop('SIGTERM')).toBe(0);
		expect(cli.output.text).toContain('POST /v1/agent 200');
		expect(cli.output.text).toContain('stopped');
	});

	it('takes the port and key from PORT and SANDBOX_API_KEY, and stops on SIGINT', async () => {
		const probe = await startSandbox();
		const port = probe.port;
		await probe.stop();
		const cli = await startCli(['--quiet'], {
			...process.env,
			PORT: String(port),
			SANDBOX_API_KEY: 'env-key',
		});
		expect(cli.url).toBe(`http://127.0.0.1:${port}`);
		expect(cli.output.text).toContain('env-key');
		expect(await (await fetch(`${cli.url}/__sandbox/config`)).json()).toMatchObject({
			acceptDocsOnlyFields: false,
		});
		expect(await cli.stop('SIGINT')).toBe(0);
	});

	it('accepts the docs-only fields with --accept-docs-only', async () => {
		const cli = await startCli(['--quiet', '--accept-docs-only']);
		const r = await fetch(`${cli.url}/v1/agent`, {
			method: 'POST',
			headers: { authorization: 'Bearer sandbox-key', 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'openai/gpt-5.1', input: 'hello cli', temperature: 0.2 }),
		});
		expect(r.status).toBe(200);
		expect(await cli.stop('SIGTERM')).toBe(0);
	});

	it('refuses unknown options', async () => {
		const child = spawn(process.execPath, [path.join(__dirname, 'cli.js'), '--colour', 'red'], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		children.push(child);
		let err = '';
		child.stderr.on('data', (d) => (err += d));
		const code = await new Promise((resolve) => child.on('exit', resolve));
		expect(code).toBe(1);
		expect(err).toContain('unknown option --colour');
	});
});
