/**
 * Search (resource search, operation search) through n8n-core's execution engine against the
 * sandbox's POST /search: every result paired to its input, both output modes, every option on
 * the wire, bad input refused with nothing sent, faults retried per request, Continue On Fail.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { runNode, type RunResult } from '../helpers/harness';
import type { RequestEntry, Sandbox } from '../sandbox/server';
import { API_KEY, expectNoKey, itemsOf, useSandbox } from './support';

const env = useSandbox();

// Retries back off up to a second or two; this bounds the fault tests, it measures nothing.
jest.setTimeout(30_000);

/** Search parameters: one query per item from the item's `query`, unless overridden. */
function search(overrides: INodeParameters = {}): INodeParameters {
	return {
		resource: 'search',
		operation: 'search',
		queries: { values: [{ query: '={{ $json.query }}' }] },
		...overrides,
	};
}

const queries = (...texts: string[]) => ({ values: texts.map((query) => ({ query })) });

interface RunSearchOptions {
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
}

async function runSearch(
	sandbox: Sandbox,
	parameters: INodeParameters,
	{ items, continueOnFail }: RunSearchOptions = {},
): Promise<RunResult> {
	return await runNode({
		parameters,
		items,
		continueOnFail,
		node: { typeVersion: 3 },
		credentials: { apiKey: API_KEY, baseUrl: sandbox.url },
	});
}

const searches = (sandbox: Sandbox): RequestEntry[] =>
	sandbox.requests().filter((entry) => entry.path === '/search');
/** The query each request sent, in the order sent. */
const sentQueries = (sandbox: Sandbox) =>
	searches(sandbox).map((entry) => (entry.body as IDataObject).query);

const TOPICS = ['coral reef bleaching', 'tidal power', 'volcano monitoring'];
/** How the sandbox titles a query's pages: its words, capitalised. */
const titleOf = (query: string) => query.replace(/\b\w/g, (c) => c.toUpperCase());
const topicItems = (topics = TOPICS) => topics.map((query) => ({ json: { query } }));

describe('One Item per Result', () => {
	it('gives each input’s results as items of their own, paired to that input, in input order', async () => {
		const { sandbox } = env;
		const result = await runSearch(sandbox, search({ maxResults: 3 }), { items: topicItems() });
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(9);
		result.items.forEach((item, index) => {
			const input = Math.floor(index / 3);
			expect(item.pairedItem).toEqual({ item: input });
			expect(Object.keys(item.json)).toEqual([
				'title',
				'url',
				'snippet',
				'date',
				'last_updated',
				'query',
			]);
			expect(item.json.query).toBe(TOPICS[input]);
			expect(item.json.title).toContain(titleOf(TOPICS[input]));
			expect(item.json.url).toMatch(/^https:\/\//);
		});
		expect(searches(sandbox).map((entry) => entry.body)).toEqual(
			TOPICS.map((query) => ({ query, max_results: 3 })),
		);
		expect(searches(sandbox).every((entry) => entry.status === 200)).toBe(true);
		expectNoKey(result);
	});

	it('sends ten results by default, as Perplexity does', async () => {
		const { sandbox } = env;
		const result = await runSearch(sandbox, search(), { items: topicItems(['jupiter moons']) });
		expect(result.items).toHaveLength(10);
		expect(searches(sandbox)[0].body).toEqual({ query: 'jupiter moons', max_results: 10 });
	});

	it('sends several queries in one request, and each result names them all', async () => {
		const { sandbox } = env;
		const result = await runSearch(
			sandbox,
			search({ queries: queries('wind turbines', 'solar panels'), maxResults: 4 }),
			{ items: itemsOf(1) },
		);
		expect(searches(sandbox).map((entry) => entry.body)).toEqual([
			{ query: ['wind turbines', 'solar panels'], max_results: 4 },
		]);
		expect(result.items).toHaveLength(4);
		const titles = result.items.map((item) => String(item.json.title));
		expect(titles.filter((title) => title.includes('Wind Turbines'))).toHaveLength(2);
		expect(titles.filter((title) => title.includes('Solar Panels'))).toHaveLength(2);
		for (const item of result.items) {
			expect(item.json.query).toEqual(['wind turbines', 'solar panels']);
			expect(item.pairedItem).toEqual({ item: 0 });
		}
	});

	it('takes the queries of each item from an expression that gives a list', async () => {
		const { sandbox } = env;
		const items = [{ json: { list: ['tides', 'waves'] } }, { json: { list: ['glaciers'] } }];
		const result = await runSearch(
			sandbox,
			search({ queries: queries('={{ $json.list }}'), maxResults: 2 }),
			{ items },
		);
		expect(sentQueries(sandbox)).toEqual([['tides', 'waves'], 'glaciers']);
		expect(result.items.map((item) => [item.pairedItem, item.json.query])).toEqual([
			[{ item: 0 }, ['tides', 'waves']],
			[{ item: 0 }, ['tides', 'waves']],
			[{ item: 1 }, 'glaciers'],
			[{ item: 1 }, 'glaciers'],
		]);
	});

	it('gives no item for an input whose search finds nothing, and says so in the output panel', async () => {
		const { sandbox } = env;
		const result = await runSearch(sandbox, search({ maxResults: 2 }), {
			items: topicItems(['tidal power', 'what is the ?', 'glaciers', 'and the of']),
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 2 },
			{ item: 2 },
		]);
		expect(searches(sandbox)).toHaveLength(4);
		expect(result.runs[0].hints).toEqual([
			expect.objectContaining({
				message:
					'Input items 1 and 3 found no results, so they have no output items. Set Output to One Item per Input to keep an item for every input.',
				location: 'outputPane',
			}),
		]);
	});

	it('keeps input order when later items are answered first', async () => {
		const { sandbox } = env;
		const items = [
			{ json: { query: 'slow topic [[sandbox:latency=300]]' } },
			{ json: { query: 'quick topic' } },
			{ json: { query: 'middle topic [[sandbox:latency=100]]' } },
		];
		const result = await runSearch(
			sandbox,
			search({ maxResults: 1, requestOptions: { concurrency: 3 } }),
			{ items },
		);
		expect(result.items.map((item) => [item.pairedItem, String(item.json.title)])).toEqual([
			[{ item: 0 }, expect.stringContaining('Slow Topic')],
			[{ item: 1 }, expect.stringContaining('Quick Topic')],
			[{ item: 2 }, expect.stringContaining('Middle Topic')],
		]);
		const ended = searches(sandbox)
			.sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0))
			.map((entry) => entry.prompt?.split(' ')[0]);
		expect(ended).toEqual(['quick', 'middle', 'slow']);
	});
});

describe('One Item per Input', () => {
	it('gives one item per input with Perplexity’s answer and the query, paired', async () => {
		const { sandbox } = env;
		const result = await runSearch(sandbox, search({ output: 'perInput', maxResults: 3 }), {
			items: topicItems([...TOPICS, 'the of and']),
		});
		expect(result.items).toHaveLength(4);
		result.items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(Object.keys(item.json)).toEqual(['query', 'results', 'id', 'server_time']);
			expect(item.json.query).toBe([...TOPICS, 'the of and'][index]);
		});
		const results = result.items.map((item) => item.json.results as IDataObject[]);
		expect(results.map((list) => list.length)).toEqual([3, 3, 3, 0]);
		expect(results[1][0].title).toContain('Tidal Power');
		expect(result.runs[0].hints ?? []).toEqual([]);
	});
});

describe('every option reaches the wire, and the Search API takes it', () => {
	it.each<[string, IDataObject, IDataObject]>([
		[
			'all options but Recency',
			{
				country: 'DE',
				domainFilter: 'nature.com, -reddit.com',
				languageFilter: 'de, en',
				maxTokens: 20000,
				maxTokensPerPage: 1024,
				publishedAfter: '2024-01-01T00:00:00',
				publishedBefore: '2024-12-31T00:00:00',
				updatedAfter: '2024-02-01',
				updatedBefore: '12/01/2024',
			},
			{
				country: 'DE',
				search_language_filter: ['de', 'en'],
				max_tokens: 20000,
				max_tokens_per_page: 1024,
				search_domain_filter: ['nature.com', '-reddit.com'],
				search_after_date_filter: '01/01/2024',
				search_before_date_filter: '12/31/2024',
				last_updated_after_filter: '02/01/2024',
				last_updated_before_filter: '12/01/2024',
			},
		],
		['Recency', { recency: 'day' }, { search_recency_filter: 'day' }],
	])('%s', async (_name, options, fields) => {
		const { sandbox } = env;
		const result = await runSearch(
			sandbox,
			search({ maxResults: 5, options: options as INodeParameters }),
			{
				items: topicItems(['jupiter moons']),
			},
		);
		expect(result.error).toBeUndefined();
		const [entry] = searches(sandbox);
		expect(entry.status).toBe(200);
		expect(entry.body).toEqual({ query: 'jupiter moons', max_results: 5, ...fields });
		expect(result.items).toHaveLength(5);
		for (const item of result.items) {
			if (options.domainFilter) expect(item.json.url).toMatch(/^https:\/\/www\.nature\.com\//);
			if (options.publishedAfter) expect(String(item.json.date) > '2024-01-01').toBe(true);
		}
	});
});

describe('bad input: a clear error naming item and field, and nothing sent', () => {
	const GOOD = { json: { query: 'tidal power', list: ['a b'], max: 3, country: 'US' } };

	it.each<[string, INodeParameters, IDataObject, string]>([
		['an empty query', search(), { query: '  ' }, 'Query: is empty'],
		[
			'an empty query among several',
			search({ queries: queries('tidal power', '={{ $json.query }}') }),
			{ query: '' },
			'Queries → Query 2: is empty',
		],
		[
			'six queries from a list',
			search({ queries: queries('={{ $json.list }}') }),
			{ list: ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'] },
			'Queries: has 6 queries: Perplexity takes at most 5 in one request',
		],
		[
			'Max Results above 20',
			search({ maxResults: '={{ $json.max }}' }),
			{ query: 'x y', max: 50 },
			'Max Results: must be between 1 and 20, got 50',
		],
		[
			'a country of three letters',
			search({ options: { country: '={{ $json.country }}' } }),
			{ query: 'x y', country: 'DEU' },
			'Options → Country: "DEU" is not a two-letter country code (e.g. US, DE)',
		],
		[
			'recency and a date',
			search({ options: { recency: 'week', publishedAfter: '={{ $json.after }}' } }),
			{ query: 'x y', after: '2024-01-01' },
			'Options → Recency: cannot be combined with Published After: use either a recency or dates',
		],
	])('%s', async (_name, parameters, bad, message) => {
		const { sandbox } = env;
		const result = await runSearch(sandbox, parameters, {
			items: [
				{ json: { ...GOOD.json } },
				{ json: { ...GOOD.json } },
				{ json: { ...GOOD.json, ...bad } },
			],
		});
		expect(result.items).toEqual([]);
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error?.message).toBe(`${message} [item 2]`);
		expect((result.error as { context?: IDataObject }).context?.itemIndex).toBe(2);
		expect(sandbox.requests()).toEqual([]);
	});

	it('with Continue On Fail, the bad item gets its error in place and only the good ones are sent', async () => {
		const { sandbox } = env;
		const result = await runSearch(sandbox, search({ maxResults: 2 }), {
			items: topicItems(['tidal power', '', 'glaciers']),
			continueOnFail: true,
		});
		expect(
			result.items.map((item) => [item.pairedItem, item.json.error ?? item.json.query]),
		).toEqual([
			[{ item: 0 }, 'tidal power'],
			[{ item: 0 }, 'tidal power'],
			[{ item: 1 }, 'Query: is empty [item 1]'],
			[{ item: 2 }, 'glaciers'],
			[{ item: 2 }, 'glaciers'],
		]);
		expect(sentQueries(sandbox)).toEqual(['tidal power', 'glaciers']);
	});

	it('checks Request Options before any request', async () => {
		const { sandbox } = env;
		const result = await runSearch(sandbox, search({ requestOptions: { maxRetries: 11 } }), {
			items: topicItems(),
		});
		expect(result.error?.message).toBe(
			'Request Options → Max Retries: must be between 0 and 10, got 11 [item 0]',
		);
		expect(sandbox.requests()).toEqual([]);
	});
});

describe('faults are retried per request, and every input is answered once', () => {
	const ITEMS = 6;
	const faulty = (index: number) => index % 3 === 1;
	const items = (directive: string) =>
		itemsOf(ITEMS, (index) => ({
			query: `topic${index} research${faulty(index) ? ` ${directive}` : ''}`,
		}));
	const attemptsOf = (sandbox: Sandbox, index: number) =>
		searches(sandbox).filter((entry) => entry.prompt?.startsWith(`topic${index} `));

	it.each([
		['[[sandbox:rate_limit times=2 retryAfterMs=20]]', 2],
		['[[sandbox:server_error times=2]]', 2],
		['[[sandbox:unavailable times=1]]', 1],
		['[[sandbox:bad_gateway times=1]]', 1],
		['[[sandbox:reset times=2]]', 2],
		['[[sandbox:malformed_json times=1]]', 1],
	])('%s', async (directive, times) => {
		const { sandbox } = env;
		const result = await runSearch(
			sandbox,
			search({ maxResults: 2, requestOptions: { concurrency: 3, maxRetries: 2 } }),
			{ items: items(directive) },
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(ITEMS * 2);
		result.items.forEach((item, index) => {
			const input = Math.floor(index / 2);
			expect(item.pairedItem).toEqual({ item: input });
			expect(item.json.title).toContain(`Topic${input} Research`);
		});
		for (let index = 0; index < ITEMS; index++) {
			const attempts = attemptsOf(sandbox, index);
			expect(attempts).toHaveLength(faulty(index) ? times + 1 : 1);
			expect(attempts.filter((a) => a.status === 200 && !a.fault)).toHaveLength(1);
		}
		expectNoKey(result);
	});

	it('a fault that outlasts Max Retries: an error item in its place with Continue On Fail', async () => {
		const { sandbox } = env;
		const result = await runSearch(
			sandbox,
			search({ maxResults: 1, requestOptions: { maxRetries: 1 } }),
			{ items: items('[[sandbox:server_error]]'), continueOnFail: true },
		);
		expect(result.items.map((item) => item.pairedItem)).toEqual(
			Array.from({ length: ITEMS }, (_, item) => ({ item })),
		);
		result.items.forEach((item, index) => {
			if (!faulty(index)) return expect(item.json.title).toContain(`Topic${index} Research`);
			expect(item.json).toMatchObject({ item: index, httpCode: '500' });
			expect(item.json.error).toMatch(
				new RegExp(
					`^Perplexity API error 500 \\(internal_error\\): .+ \\[2 attempts, last status 500\\] \\[item ${index}\\]$`,
				),
			);
			expect(attemptsOf(sandbox, index)).toHaveLength(2);
		});
		expectNoKey(result);
	});

	it('without Continue On Fail the node fails with the first failing item', async () => {
		const { sandbox } = env;
		const result = await runSearch(
			sandbox,
			search({ requestOptions: { concurrency: 1, maxRetries: 0 } }),
			{ items: items('[[sandbox:server_error]]') },
		);
		expect(result.items).toEqual([]);
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error?.message).toMatch(/^Perplexity API error 500 .+ \[item 1\]$/);
		// Item 0 was answered, item 1 failed, and nothing was started after it.
		expect(searches(sandbox)).toHaveLength(2);
	});

	it('does not retry what retrying cannot fix, and names the option behind a refused field', async () => {
		const { sandbox } = env;
		sandbox.addFault({
			fault: 'bad_request',
			match: { path: '/search' },
			message: 'invalid request body: json: unknown field "country"',
		});
		const result = await runSearch(sandbox, search({ options: { country: 'FR' } }), {
			items: topicItems(['tidal power']),
			continueOnFail: true,
		});
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toMatchObject({
			error:
				'The Search API refused country, which Options → Country sends: check that option [item 0]',
			httpCode: '400',
		});
		expect(searches(sandbox)).toHaveLength(1);
	});

	it('waits out the rate limit instead of losing items', async () => {
		const { sandbox } = env;
		sandbox.configure({ rateLimit: { limit: 3, windowMs: 500 } });
		const result = await runSearch(
			sandbox,
			search({ maxResults: 1, requestOptions: { concurrency: 4, maxRetries: 0 } }),
			{ items: itemsOf(8, (index) => ({ query: `topic${index} research` })) },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual(
			Array.from({ length: 8 }, (_, item) => ({ item })),
		);
		const ok = searches(sandbox).filter((entry) => entry.status === 200);
		expect(ok).toHaveLength(8);
	});
});
