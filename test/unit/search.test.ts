/**
 * Search (POST /search) without HTTP: reading and checking an item's parameters, the request body
 * and every field of it against the evidence table, the editor's limits against the checks, and
 * the mapping of Perplexity's answer to items.
 */
import type { IDataObject, INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { PerplexityChat } from '../../nodes/PerplexityChat/PerplexityChat.node';
import { searchOptions } from '../../nodes/PerplexityChat/actions/chat/search.description';
import {
	buildSearchRequest,
	type RawSearchParameters,
	resolveSearchSettings,
	SEARCH_RANGES,
} from '../../nodes/PerplexityChat/actions/search/request';
import {
	answerItem,
	noResultsMessage,
	pagesOf,
} from '../../nodes/PerplexityChat/actions/search/results';
import {
	SEARCH_ENDPOINT,
	SEARCH_WIRE_FIELDS,
} from '../../nodes/PerplexityChat/actions/search/wireFields';
import { webFilterOptions } from '../../nodes/PerplexityChat/actions/webFilters.description';
import { InputError } from '../../nodes/PerplexityChat/helpers/inputError';
import { editorLimitsOf } from '../../nodes/PerplexityChat/helpers/ranges';
import { isProven, refusedField, wirePaths } from '../../nodes/PerplexityChat/helpers/wireFields';
import { httpFailure } from '../../nodes/PerplexityChat/transport/failures';
import { failureToNodeApiError } from '../../nodes/PerplexityChat/transport/nodeErrors';

const QUERY = 'fusion energy breakthroughs';

/** One item's parameters as n8n hands them over: one query, nothing else set. */
function raw(overrides: Partial<RawSearchParameters> = {}): RawSearchParameters {
	return {
		queries: { values: [{ query: QUERY }] },
		maxResults: 10,
		options: {},
		...overrides,
	};
}

const rows = (...queries: unknown[]) => ({ values: queries.map((query) => ({ query })) });
const body = (overrides: Partial<RawSearchParameters> = {}) =>
	buildSearchRequest(resolveSearchSettings(raw(overrides)));
const withOptions = (options: IDataObject) => body({ options });

/** The InputError an item's parameters give, as "field: reason". */
function refusal(overrides: Partial<RawSearchParameters>): string {
	try {
		resolveSearchSettings(raw(overrides));
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		return (error as InputError).message;
	}
	throw new Error('the parameters were accepted');
}

/** Each option of the Options collection on its own, as an editor would set it. */
const OPTION_CASES: Array<[string, IDataObject, IDataObject]> = [
	['Country', { country: ' DE ' }, { country: 'DE' }],
	[
		'Domain Filter',
		{ domainFilter: 'nature.com, -reddit.com' },
		{ search_domain_filter: ['nature.com', '-reddit.com'] },
	],
	['Language Filter', { languageFilter: 'en, de' }, { search_language_filter: ['en', 'de'] }],
	['Max Tokens', { maxTokens: 25000 }, { max_tokens: 25000 }],
	['Max Tokens per Page', { maxTokensPerPage: 2048 }, { max_tokens_per_page: 2048 }],
	[
		'Published After',
		{ publishedAfter: '2025-01-15T00:00:00' },
		{ search_after_date_filter: '01/15/2025' },
	],
	[
		'Published Before',
		{ publishedBefore: '2025-03-01' },
		{ search_before_date_filter: '03/01/2025' },
	],
	['Recency', { recency: 'month' }, { search_recency_filter: 'month' }],
	['Updated After', { updatedAfter: '6/1/2025' }, { last_updated_after_filter: '06/01/2025' }],
	['Updated Before', { updatedBefore: '2025-07-04' }, { last_updated_before_filter: '07/04/2025' }],
];

describe('the request', () => {
	it('sends one query as a string, with Max Results, and nothing else by default', () => {
		expect(body()).toEqual({ query: QUERY, max_results: 10 });
	});

	it('sends several queries as a list, in the order of the rows', () => {
		expect(body({ queries: rows(' solar panels ', 'wind turbines') }).query).toEqual([
			'solar panels',
			'wind turbines',
		]);
	});

	it('takes a list from an expression as queries of their own', () => {
		expect(body({ queries: rows(['tides', 'waves'], 'currents') }).query).toEqual([
			'tides',
			'waves',
			'currents',
		]);
		expect(body({ queries: rows(['only one']) }).query).toBe('only one');
		expect(body({ queries: rows(2026) }).query).toBe('2026');
	});

	it.each(OPTION_CASES)('Options → %s', (_name, options, fields) => {
		expect(withOptions(options)).toEqual({ query: QUERY, max_results: 10, ...fields });
	});

	it('sends every option at once', () => {
		const all = withOptions({
			country: 'US',
			domainFilter: 'nature.com',
			languageFilter: 'en',
			maxTokens: 1,
			maxTokensPerPage: 1,
			publishedAfter: '2025-01-01',
			publishedBefore: '2025-02-01',
			updatedAfter: '2025-01-01',
			updatedBefore: '2025-02-01',
		});
		expect(Object.keys(all).sort()).toEqual(
			Object.keys(SEARCH_WIRE_FIELDS)
				.filter((field) => field !== 'search_recency_filter')
				.sort(),
		);
	});

	it('leaves out options that are set but empty', () => {
		expect(
			withOptions({ country: ' ', domainFilter: '', languageFilter: ',', recency: '' }),
		).toEqual({ query: QUERY, max_results: 10 });
	});
});

describe('every field sent is in the evidence table, proven', () => {
	const bodies: Array<[string, IDataObject]> = [
		['the default', body()],
		['several queries', body({ queries: rows('a b', 'c d') })],
		...OPTION_CASES.map(([name, options]): [string, IDataObject] => [name, withOptions(options)]),
	];

	it.each(bodies)('%s', (_name, sent) => {
		for (const path of wirePaths(sent, SEARCH_WIRE_FIELDS)) {
			const field = SEARCH_WIRE_FIELDS[path];
			expect([path, field !== undefined && isProven(field)]).toEqual([path, true]);
		}
	});

	it('every row is sent by some setting, and names its evidence and option', () => {
		const sent = new Set(bodies.flatMap(([, b]) => wirePaths(b, SEARCH_WIRE_FIELDS)));
		expect([...sent].sort()).toEqual(Object.keys(SEARCH_WIRE_FIELDS).sort());
		for (const [path, field] of Object.entries(SEARCH_WIRE_FIELDS)) {
			expect([
				path,
				field.evidence.includes('S'),
				field.source !== '',
				field.option !== '',
			]).toEqual([path, true, true, true]);
		}
	});

	it('names the option behind a field the Search API refuses', () => {
		const sent = withOptions({ country: 'DE' });
		const envelope = JSON.stringify({
			error: {
				message: 'invalid request body: json: unknown field "country"',
				type: 'invalid_request',
				code: 400,
				param: 'country',
			},
		});
		const failure = httpFailure(400, {}, envelope);
		const refused = refusedField(SEARCH_ENDPOINT.table, sent, failure);
		expect(refused).toEqual({ path: 'country', option: 'Options → Country', docsOnly: false });
		const error = failureToNodeApiError(
			{
				id: '1',
				name: 'Perplexity Chat',
				type: 'perplexityChat',
				typeVersion: 3,
				position: [0, 0],
				parameters: {},
			},
			{ ...failure, refused: { endpoint: SEARCH_ENDPOINT.name, ...refused! } },
			1,
			0,
			[],
		);
		expect(error.message).toBe(
			'The Search API refused country, which Options → Country sends: check that option [item 0]',
		);
		expect(error.description).not.toContain('Sonar');
	});
});

describe('bad input is refused before anything is sent, naming the field', () => {
	it.each<[string, Partial<RawSearchParameters>, string]>([
		['no rows', { queries: { values: [] } }, 'Queries: is empty: add a query'],
		['no collection at all', { queries: undefined }, 'Queries: is empty: add a query'],
		['an empty query', { queries: rows('  ') }, 'Query: is empty'],
		['an empty second row', { queries: rows('a b', '') }, 'Queries → Query 2: is empty'],
		['a row of null', { queries: rows(null) }, 'Query: is empty'],
		['an empty list', { queries: rows([]) }, 'Query: is an empty list'],
		['an empty entry of a list', { queries: rows(['a b', ' ']) }, 'Query: is empty'],
		['an object', { queries: rows({ q: 1 }) }, 'Query: must be text, got {"q":1}'],
		[
			'six queries',
			{ queries: rows('a1', 'b2', ['c3', 'd4', 'e5', 'f6']) },
			'Queries: has 6 queries: Perplexity takes at most 5 in one request',
		],
		['Max Results 0', { maxResults: 0 }, 'Max Results: must be between 1 and 20, got 0'],
		['Max Results 21', { maxResults: 21 }, 'Max Results: must be between 1 and 20, got 21'],
		['Max Results 2.5', { maxResults: 2.5 }, 'Max Results: must be a whole number, got 2.5'],
		['Max Results text', { maxResults: 'ten' }, 'Max Results: must be a number, got "ten"'],
		[
			'a three-letter country',
			{ options: { country: 'USA' } },
			'Options → Country: "USA" is not a two-letter country code (e.g. US, DE)',
		],
		[
			'a language name',
			{ options: { languageFilter: 'en, german' } },
			'Options → Language Filter: "german" is not a two-letter ISO 639-1 code (e.g. en, fr)',
		],
		[
			'21 languages',
			{ options: { languageFilter: Array.from({ length: 21 }, () => 'en') } },
			'Options → Language Filter: has 21 codes: at most 20 are allowed',
		],
		[
			'a domain with a scheme',
			{ options: { domainFilter: 'https://nature.com' } },
			'Options → Domain Filter: "https://nature.com" has a scheme: give the domain alone, e.g. nature.com',
		],
		[
			'a date that is not one',
			{ options: { publishedAfter: 'last week' } },
			'Options → Published After: "last week" is not a date: use the date picker, YYYY-MM-DD or MM/DD/YYYY',
		],
		[
			'recency with a date',
			{ options: { recency: 'week', updatedBefore: '2025-01-01' } },
			'Options → Recency: cannot be combined with Updated Before: use either a recency or dates',
		],
		[
			'After later than Before',
			{ options: { publishedAfter: '2025-03-01', publishedBefore: '2025-01-01' } },
			'Options → Published After: (03/01/2025) is later than Published Before (01/01/2025)',
		],
		[
			'Max Tokens 0',
			{ options: { maxTokens: 0 } },
			'Options → Max Tokens: must be between 1 and 1000000, got 0',
		],
		[
			'Max Tokens per Page above a million',
			{ options: { maxTokensPerPage: 1_000_001 } },
			'Options → Max Tokens per Page: must be between 1 and 1000000, got 1000001',
		],
	])('%s', (_name, overrides, message) => {
		expect(refusal(overrides)).toBe(message);
	});

	it('hints how to search more than five queries', () => {
		try {
			resolveSearchSettings(raw({ queries: rows('a', 'b', 'c', 'd', 'e', 'f') }));
		} catch (error) {
			expect((error as InputError).hint).toMatch(/input item of its own/);
		}
		expect.assertions(1);
	});
});

const description: INodeTypeDescription = new PerplexityChat().description;
const searchProperties = description.properties.filter((property) =>
	(property.displayOptions?.show?.resource as string[] | undefined)?.includes('search'),
);
const property = (name: string) =>
	searchProperties.find((p) => p.name === name && p.name !== 'operation') as INodeProperties;
const option = (name: string) =>
	(property('options').options as INodeProperties[]).find(
		(o) => o.name === name,
	) as INodeProperties;

describe('the description', () => {
	it('lists Search as a resource of version 3, with its one operation', () => {
		const resource = description.properties.find((p) => p.name === 'resource');
		expect(resource?.options).toEqual(
			expect.arrayContaining([expect.objectContaining({ name: 'Search', value: 'search' })]),
		);
		const operation = searchProperties.find((p) => p.name === 'operation');
		expect(operation?.options).toEqual([
			expect.objectContaining({ value: 'search', name: 'Search' }),
		]);
		expect(operation?.default).toBe('search');
	});

	it('shows every parameter of the operation for resource search and operation search only', () => {
		const names = searchProperties.filter((p) => p.name !== 'operation').map((p) => p.name);
		expect(names).toEqual(['queries', 'maxResults', 'output', 'options', 'requestOptions']);
		for (const name of names) {
			expect(property(name).displayOptions?.show).toEqual({
				resource: ['search'],
				operation: ['search'],
			});
		}
	});

	it('offers the chat’s web filters, the same fields, in alphabetical order', () => {
		const options = property('options').options as INodeProperties[];
		const names = options.map((o) => o.displayName);
		expect(names).toEqual([...names].sort());
		const chat = searchOptions.options as INodeProperties[];
		for (const filter of webFilterOptions) {
			expect(options).toContainEqual(filter);
			expect(chat).toContainEqual(filter);
		}
		expect(option('languageFilter').displayOptions).toBeUndefined();
	});

	it('defaults to one empty query, ten results and one item per result', () => {
		expect(property('queries').default).toEqual({ values: [{ query: '' }] });
		expect(property('maxResults').default).toBe(10);
		expect(property('output').default).toBe('perResult');
	});

	it.each<[string, INodeProperties, keyof typeof SEARCH_RANGES]>([
		['Max Results', property('maxResults'), 'maxResults'],
		['Max Tokens', option('maxTokens'), 'options.maxTokens'],
		['Max Tokens per Page', option('maxTokensPerPage'), 'options.maxTokensPerPage'],
	])('%s: the editor limits are the range’s, and the checks agree at both ends', (_n, p, range) => {
		expect(p.typeOptions).toEqual(editorLimitsOf(SEARCH_RANGES[range]));
		const { minValue, maxValue } = p.typeOptions as { minValue: number; maxValue: number };
		const set = (value: number) =>
			range === 'maxResults' ? raw({ maxResults: value }) : raw({ options: { [p.name]: value } });
		for (const value of [p.default as number, minValue, maxValue]) {
			expect(() => resolveSearchSettings(set(value))).not.toThrow();
		}
		for (const value of [minValue - 1, maxValue + 1]) {
			expect(() => resolveSearchSettings(set(value))).toThrow(InputError);
		}
	});
});

describe('the answer as items', () => {
	const page = (n: number, extra: IDataObject = {}) => ({
		title: `Page ${n}`,
		url: `https://example.org/${n}`,
		snippet: `Snippet ${n}`,
		date: '2025-01-02',
		last_updated: '2025-02-03',
		...extra,
	});

	it('gives each page its fields and the query, in Perplexity’s order', () => {
		const items = pagesOf({ id: 'x', results: [page(1), page(2)] }, ['tides']);
		expect(items).toEqual([
			{ ...page(1), query: 'tides' },
			{ ...page(2), query: 'tides' },
		]);
		expect(Object.keys(items?.[0] ?? {})).toEqual([
			'title',
			'url',
			'snippet',
			'date',
			'last_updated',
			'query',
		]);
	});

	it('fills in null for what a page leaves out', () => {
		const [item] = pagesOf({ results: [{ title: 'T', url: 'https://u' }] }, ['q']) ?? [];
		expect(item).toEqual({
			title: 'T',
			url: 'https://u',
			snippet: null,
			date: null,
			last_updated: null,
			query: 'q',
		});
	});

	it('gives every page of one list for several queries the list of queries', () => {
		const items = pagesOf({ results: [page(1), page(2)] }, ['a b', 'c d']);
		expect(items?.map((item) => item.query)).toEqual([
			['a b', 'c d'],
			['a b', 'c d'],
		]);
	});

	it('reads one list per query, as Perplexity’s docs show, each with its own query', () => {
		const items = pagesOf({ results: [[page(1), page(2)], [], [page(3)]] }, ['a', 'b', 'c']);
		expect(items?.map((item) => [item.title, item.query])).toEqual([
			['Page 1', 'a'],
			['Page 2', 'a'],
			['Page 3', 'c'],
		]);
	});

	it('gives no items for no results, and nothing usable for a body that is not an answer', () => {
		expect(pagesOf({ id: 'x', results: [] }, ['q'])).toEqual([]);
		expect(pagesOf({ id: 'x' }, ['q'])).toBeUndefined();
		expect(pagesOf({ results: 'none' }, ['q'])).toBeUndefined();
		expect(pagesOf({ results: [page(1), 'oops'] }, ['q'])).toBeUndefined();
	});

	it('One Item per Input: the answer as it came, after the query', () => {
		const answer = { results: [page(1)], id: 'abc', server_time: null };
		expect(answerItem(answer, ['q'])).toEqual({ query: 'q', ...answer });
		expect(Object.keys(answerItem(answer, ['a', 'b']))).toEqual([
			'query',
			'results',
			'id',
			'server_time',
		]);
		expect(answerItem(answer, ['a', 'b']).query).toEqual(['a', 'b']);
	});

	it('says in the output panel which inputs found nothing', () => {
		expect(noResultsMessage([3])).toBe(
			'Input item 3 found no results, so it has no output item. Set Output to One Item per Input to keep an item for every input.',
		);
		expect(noResultsMessage([4, 0])).toMatch(
			/^Input items 0 and 4 found no results, so they have no output items\. /,
		);
		expect(noResultsMessage([7, 1, 2])).toMatch(/^Input items 1, 2 and 7 found/);
	});
});
