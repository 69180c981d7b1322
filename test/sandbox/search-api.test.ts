import { readFileSync } from 'fs';
import * as path from 'path';

import { startSandbox, type Sandbox } from './server';

// POST /search over real HTTP, against the published ApiSearchRequest / ApiSearchResponse.

type Json = any;

interface Reply {
	status: number;
	headers: Headers;
	json: Json;
}

const KEY = 'test-key';
let sb: Sandbox;

beforeAll(async () => {
	sb = await startSandbox({ apiKey: KEY });
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => sb.reset());

async function search(body: unknown, key: string | null = KEY): Promise<Reply> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (key !== null) headers.authorization = `Bearer ${key}`;
	const res = await fetch(`${sb.url}/search`, {
		method: 'POST',
		headers,
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await res.text();
	let json: Json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, json };
}

const SPEC = JSON.parse(
	readFileSync(
		path.resolve(__dirname, '../../../shared/reference/perplexity-openapi.json'),
		'utf8',
	),
);
const schema = (name: string) => SPEC.components.schemas[name];
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function expectEnvelope(r: Reply, status: number, type: string, param?: string) {
	expect(r.status).toBe(status);
	expect(r.json.error).toMatchObject({ type, code: status });
	expect(typeof r.json.error.message).toBe('string');
	if (param !== undefined) expect(r.json.error.param).toBe(param);
}

/** The loc of every entry of a FastAPI 422, without the leading "body". */
function locs(r: Reply): string[] {
	expect(r.status).toBe(422);
	return r.json.detail.map((d: Json) => d.loc.slice(1).join('.'));
}

describe('POST /search: answers', () => {
	it('answers in the published ApiSearchResponse shape, ten results by default', async () => {
		const r = await search({ query: 'fusion energy breakthroughs' });
		expect(r.status).toBe(200);
		const response = schema('ApiSearchResponse');
		expect(Object.keys(r.json).sort()).toEqual(Object.keys(response.properties).sort());
		expect(typeof r.json.id).toBe('string');
		expect(r.json.server_time).toBeNull();
		expect(r.json.results).toHaveLength(10);
		const page = schema('ApiSearchPage');
		for (const result of r.json.results) {
			expect(Object.keys(result).sort()).toEqual(Object.keys(page.properties).sort());
			for (const field of page.required) expect(typeof result[field]).toBe('string');
			expect(result.url).toMatch(/^https:\/\//);
			// The published Date: "Input: MM/DD/YYYY, Output: YYYY-MM-DD".
			if (result.date !== null) expect(result.date).toMatch(ISO_DAY);
			expect(result.last_updated).toMatch(ISO_DAY);
		}
		expect(new Set(r.json.results.map((x: Json) => x.url)).size).toBe(10);
		expect(r.json.results.some((x: Json) => x.date === null)).toBe(true);
	});

	it('names the pages after the query and is deterministic apart from the id', async () => {
		const a = await search({ query: 'coral reef bleaching', max_results: 5 });
		const b = await search({ query: 'coral reef bleaching', max_results: 5 });
		const other = await search({ query: 'tidal power', max_results: 5 });
		expect(a.json.results).toEqual(b.json.results);
		expect(a.json.id).not.toBe(b.json.id);
		for (const result of a.json.results) expect(result.title).toMatch(/Coral Reef Bleaching/);
		for (const result of other.json.results) expect(result.title).toMatch(/Tidal Power/);
	});

	it('returns max_results results, from 1 to 20', async () => {
		for (const max of [1, 7, 20]) {
			const r = await search({ query: 'volcano monitoring', max_results: max });
			expect(r.json.results).toHaveLength(max);
		}
	});

	it('answers several queries with one list that takes from each in turn, each URL once', async () => {
		const single = await search({ query: 'solar panels', max_results: 4 });
		const both = await search({ query: ['wind turbines', 'solar panels'], max_results: 6 });
		expect(both.status).toBe(200);
		const titles = both.json.results.map((x: Json) => x.title);
		expect(titles).toHaveLength(6);
		expect(titles.filter((t: string) => /Wind Turbines/.test(t))).toHaveLength(3);
		expect(titles.filter((t: string) => /Solar Panels/.test(t))).toHaveLength(3);
		expect(titles[0]).toMatch(/Wind Turbines/);
		expect(titles[1]).toMatch(/Solar Panels/);
		expect(both.json.results[1]).toEqual(single.json.results[0]);
		const same = await search({ query: ['solar panels', 'solar panels'], max_results: 4 });
		expect(same.json.results).toEqual(single.json.results);
	});

	it('finds nothing for a query without a word worth searching for', async () => {
		const r = await search({ query: 'what is the ?' });
		expect(r.status).toBe(200);
		expect(r.json.results).toEqual([]);
	});

	it('honours the domain filter, the date filters, recency and search_mode', async () => {
		const allow = await search({ query: 'jupiter moons', search_domain_filter: ['nature.com'] });
		for (const x of allow.json.results) expect(new URL(x.url).host).toBe('www.nature.com');
		const deny = await search({ query: 'jupiter moons', search_domain_filter: ['-wikipedia.org'] });
		for (const x of deny.json.results) expect(x.url).not.toContain('wikipedia.org');

		const dated = await search({
			query: 'jupiter moons',
			search_after_date_filter: '01/01/2023',
			search_before_date_filter: '06/30/2023',
			last_updated_after_filter: '02/01/2023',
		});
		for (const x of dated.json.results) {
			expect(x.date > '2023-01-01' && x.date < '2023-06-30').toBe(true);
			expect(x.last_updated > '2023-02-01').toBe(true);
		}
		const recent = await search({ query: 'jupiter moons', search_recency_filter: 'week' });
		const weekAgo = new Date(Date.now() - 8 * 86_400_000).toISOString().slice(0, 10);
		for (const x of recent.json.results) expect(x.date >= weekAgo).toBe(true);

		const academic = await search({ query: 'jupiter moons', search_mode: 'academic' });
		const hosts = new Set(academic.json.results.map((x: Json) => new URL(x.url).host));
		expect(hosts.has('arxiv.org')).toBe(true);
		expect(hosts.has('www.bbc.com')).toBe(false);
	});

	it('keeps page text within max_tokens_per_page and all pages within max_tokens', async () => {
		const full = await search({ query: 'deep sea mining', max_results: 5 });
		const perPage = await search({
			query: 'deep sea mining',
			max_results: 5,
			max_tokens_per_page: 5,
		});
		for (const x of perPage.json.results) expect(x.snippet.length).toBeLessThanOrEqual(20);
		expect(perPage.json.results.map((x: Json) => x.url)).toEqual(
			full.json.results.map((x: Json) => x.url),
		);
		const total = await search({ query: 'deep sea mining', max_results: 5, max_tokens: 30 });
		expect(total.json.results.length).toBeLessThan(5);
		const chars = total.json.results.reduce((n: number, x: Json) => n + x.snippet.length, 0);
		expect(chars).toBeLessThanOrEqual(30 * 4);
	});

	it('sends server_time when display_server_time asks for it', async () => {
		const r = await search({ query: 'tides', display_server_time: true });
		expect(Number.isNaN(Date.parse(r.json.server_time))).toBe(false);
	});

	it('logs the query as the prompt and the body', async () => {
		await search({ query: ['first query', 'second query'], max_results: 2 });
		const [entry] = sb.requests();
		expect(entry).toMatchObject({ method: 'POST', path: '/search', status: 200, auth: 'ok' });
		expect(entry.prompt).toBe('first query\nsecond query');
		expect(entry.body).toEqual({ query: ['first query', 'second query'], max_results: 2 });
	});
});

describe('POST /search: validation', () => {
	it('refuses an unknown field with the 400 envelope, before any type check', async () => {
		const r = await search({ query: 5, max_results: 2, num_results: 3 });
		expectEnvelope(r, 400, 'invalid_request', 'num_results');
		expect(r.json.error.message).toBe('invalid request body: json: unknown field "num_results"');
		// Fields of the chat APIs are not fields of the Search API.
		for (const field of ['model', 'messages', 'search_after_date', 'user_location']) {
			expectEnvelope(await search({ query: 'x y', [field]: 'a' }), 400, 'invalid_request', field);
		}
	});

	it('accepts every published and SDK field at its bounds', async () => {
		const lowest = await search({
			query: ['alpha particles', 'beta decay', 'gamma rays', 'delta waves', 'epsilon theory'],
			max_results: 1,
			max_tokens: 1,
			max_tokens_per_page: 1,
			country: 'US',
			search_language_filter: Array.from({ length: 20 }, () => 'en'),
			search_domain_filter: Array.from({ length: 20 }, (_, i) => `site${i}.org`),
			search_recency_filter: 'hour',
			display_server_time: false,
			search_context_size: 'high',
			search_mode: 'sec',
			search_type: 'web',
		});
		expect(lowest.status).toBe(200);
		const highest = await search({
			query: 'omega point',
			max_results: 20,
			max_tokens: 1_000_000,
			max_tokens_per_page: 1_000_000,
			search_domain_filter: [`${'a'.repeat(249)}.org`],
			search_after_date_filter: '1/2/2020',
			search_before_date_filter: '12/31/2024',
			last_updated_after_filter: '01/01/2021',
			last_updated_before_filter: '12/31/2024',
		});
		expect(highest.status).toBe(200);
		expect(highest.json.results).toHaveLength(20);
		// More than 20 results is for people search only (the SDK's note on search_type).
		expect(
			(await search({ query: 'ada lovelace', max_results: 25, search_type: 'people' })).status,
		).toBe(200);
	});

	it('answers wrong types and values outside the published constraints with one 422 listing each', async () => {
		const r = await search({
			query: 5,
			max_results: 21,
			max_tokens: 0,
			max_tokens_per_page: 1.5,
			country: 'USA',
			search_language_filter: ['eng', 'de'],
			search_domain_filter: 'nature.com',
			search_recency_filter: 'decade',
			search_after_date_filter: 20240101,
			display_server_time: 'maybe',
			search_mode: 'news',
		});
		expect(locs(r)).toEqual([
			'query.str',
			'query.list[str]',
			'max_results',
			'max_tokens',
			'max_tokens_per_page',
			'country',
			'search_language_filter.0',
			'search_domain_filter',
			'search_recency_filter',
			'search_after_date_filter',
			'display_server_time',
			'search_mode',
		]);
		expect(r.json.detail.map((d: Json) => d.type)).toEqual([
			'string_type',
			'list_type',
			'less_than_equal',
			'greater_than_equal',
			'int_from_float',
			'string_too_long',
			'string_too_long',
			'list_type',
			'literal_error',
			'string_type',
			'bool_parsing',
			'literal_error',
		]);
		const tooMany = await search({
			query: 'x y',
			search_domain_filter: Array.from({ length: 21 }, (_, i) => `d${i}.com`),
			search_language_filter: Array.from({ length: 21 }, () => 'en'),
		});
		expect(locs(tooMany)).toEqual(['search_language_filter', 'search_domain_filter']);
		expect(tooMany.json.detail[0].type).toBe('too_long');
		expect(locs(await search({ query: 'x y', country: 'U' }))).toEqual(['country']);
		expect(locs(await search({ max_results: 3 }))).toEqual(['query']);
		expect(locs(await search('{"query": '))).toEqual(['0']);
		expect(locs(await search('[1]'))).toEqual(['']);
	});

	it('refuses empty queries and more than five, with 400 invalid_parameter', async () => {
		for (const query of ['', '   ', [], ['ok', '']]) {
			expectEnvelope(await search({ query }), 400, 'invalid_parameter', 'query');
		}
		const six = await search({ query: ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'] });
		expectEnvelope(six, 400, 'invalid_parameter', 'query');
		expect(six.json.error.message).toContain('at most 5');
	});

	it('checks the filters as the other endpoints do', async () => {
		expectEnvelope(
			await search({ query: 'x y', search_before_date_filter: '2024-12-31' }),
			400,
			'invalid_date_format',
			'search_before_date_filter',
		);
		expectEnvelope(
			await search({
				query: 'x y',
				search_recency_filter: 'day',
				last_updated_after_filter: '01/01/2024',
			}),
			400,
			'invalid_parameter',
			'search_recency_filter',
		);
		expectEnvelope(
			await search({
				query: 'x y',
				search_after_date_filter: '02/01/2024',
				search_before_date_filter: '01/01/2024',
			}),
			400,
			'invalid_parameter',
			'search_after_date_filter',
		);
		expectEnvelope(
			await search({ query: 'x y', search_domain_filter: ['https://nature.com'] }),
			400,
			'invalid_search_domain_filter',
			'search_domain_filter',
		);
	});
});

describe('POST /search: auth, faults, rate limits', () => {
	it('needs the API key, before validation', async () => {
		expectEnvelope(await search({ nonsense: true }, null), 401, 'invalid_api_key');
		expectEnvelope(await search({ query: 'x y' }, 'wrong'), 401, 'invalid_api_key');
	});

	it('takes the faults of any endpoint, by rule and by directive in the query', async () => {
		sb.addFault({ fault: 'rate_limit', times: 1, retryAfter: 2, match: { path: '/search' } });
		sb.addFault({ fault: 'server_error', times: 1, match: { prompt: 'cursed' } });
		sb.addFault({ fault: 'malformed_json', times: 1 });
		const limited = await search({ query: 'x y' });
		expectEnvelope(limited, 429, 'request_rate_limit_exceeded');
		expect(limited.headers.get('retry-after')).toBe('2');
		expectEnvelope(await search({ query: 'a cursed query' }), 500, 'internal_error');
		const cut = await search({ query: 'x y' });
		expect(cut.status).toBe(200);
		expect(cut.json).toBeUndefined();

		const q = 'tidal energy [[sandbox:unavailable times=2]]';
		expect((await search({ query: q })).status).toBe(503);
		expect((await search({ query: ['other', q] })).status).toBe(503);
		expect((await search({ query: q })).status).toBe(503);
		const ok = await search({ query: q });
		expect(ok.status).toBe(200);
		// Directives are not searched for.
		for (const x of ok.json.results) expect(x.title).not.toMatch(/Sandbox|Unavailable/);
	});

	it('spends no rule that is only for chat answers', async () => {
		sb.addFault({ fault: 'incomplete', times: 1 });
		sb.addFault({ fault: 'failed', times: 1 });
		expect((await search({ query: 'x y' })).status).toBe(200);
		expect(sb.faults().map((f) => f.hits)).toEqual([0, 0]);
	});

	it('counts against the configured rate limit like any endpoint', async () => {
		sb.configure({ rateLimit: { limit: 2, windowMs: 60_000 } });
		expect((await search({ query: 'x y' })).status).toBe(200);
		const second = await search({ query: 'x y' });
		expect(second.headers.get('x-ratelimit-remaining')).toBe('0');
		expectEnvelope(await search({ query: 'x y' }), 429, 'request_rate_limit_exceeded');
		expect(sb.requests().map((e) => e.fault)).toEqual([null, null, 'rate_limiter']);
	});
});
