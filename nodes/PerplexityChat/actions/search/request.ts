import type { IDataObject } from 'n8n-workflow';

import { InputError } from '../../helpers/inputError';
import type { WebFilters } from '../../helpers/interfaces';
import type { NumberRange } from '../../helpers/ranges';
import { compact, webFilterFields } from '../../helpers/requests';
import {
	checkCountry,
	checkLanguageCodes,
	checkNumber,
	checkWebFilters,
} from '../../helpers/validation';

export const SEARCH_PATH = '/search';

/**
 * Number parameters of Search: the editor's limits and the checks before sending both come from
 * here. The ranges are the published ApiSearchRequest's.
 */
export const SEARCH_RANGES = {
	maxResults: { min: 1, max: 20, integer: true },
	'options.maxTokens': { min: 1, max: 1_000_000, integer: true },
	'options.maxTokensPerPage': { min: 1, max: 1_000_000, integer: true },
} satisfies Record<string, NumberRange>;

/** n8n's built-in node offers "up to 5 queries"; the published schema sets no limit. */
export const MAX_QUERIES = 5;
/** The published maxItems of search_language_filter. */
const MAX_LANGUAGES = 20;

/** The parameters of one item as n8n resolved them, before any checking. */
export interface RawSearchParameters {
	queries: unknown;
	maxResults: unknown;
	options: IDataObject;
}

export interface SearchSettings {
	queries: string[];
	maxResults: number;
	filters: WebFilters;
	country?: string;
	languages: string[];
	maxTokens?: number;
	maxTokensPerPage?: number;
}

const inOptions = (name: string) => `Options → ${name}`;

/**
 * The Queries rows. A row's expression may give a list, e.g. {{ $json.queries }}: its entries
 * count as queries of their own.
 */
function readQueries(value: unknown): string[] {
	const rows = (value as IDataObject | undefined)?.values;
	const list = Array.isArray(rows) ? (rows as IDataObject[]) : [];
	if (list.length === 0) throw new InputError('Queries', 'is empty: add a query');
	const queries: string[] = [];
	list.forEach((row, index) => {
		const field = list.length === 1 ? 'Query' : `Queries → Query ${index + 1}`;
		const entries = Array.isArray(row.query) ? row.query : [row.query];
		if (entries.length === 0) throw new InputError(field, 'is an empty list');
		for (const entry of entries) {
			if (entry !== null && typeof entry === 'object') {
				throw new InputError(field, `must be text, got ${JSON.stringify(entry).slice(0, 60)}`);
			}
			const text = entry === undefined || entry === null ? '' : String(entry).trim();
			if (text === '') throw new InputError(field, 'is empty');
			queries.push(text);
		}
	});
	if (queries.length > MAX_QUERIES) {
		throw new InputError(
			'Queries',
			`has ${queries.length} queries: Perplexity takes at most ${MAX_QUERIES} in one request`,
			'To search more, put each query (or each group of up to 5) on an input item of its own.',
		);
	}
	return queries;
}

export function resolveSearchSettings(raw: RawSearchParameters): SearchSettings {
	const { options } = raw;
	return {
		queries: readQueries(raw.queries),
		maxResults: checkNumber('Max Results', raw.maxResults, SEARCH_RANGES.maxResults) ?? 10,
		filters: checkWebFilters(options, inOptions),
		country: checkCountry(inOptions('Country'), options.country),
		languages: checkLanguageCodes(
			inOptions('Language Filter'),
			options.languageFilter,
			MAX_LANGUAGES,
		),
		maxTokens: checkNumber(
			inOptions('Max Tokens'),
			options.maxTokens,
			SEARCH_RANGES['options.maxTokens'],
		),
		maxTokensPerPage: checkNumber(
			inOptions('Max Tokens per Page'),
			options.maxTokensPerPage,
			SEARCH_RANGES['options.maxTokensPerPage'],
		),
	};
}

/** POST /search: every field is in SEARCH_WIRE_FIELDS (wireFields.ts). */
export function buildSearchRequest(settings: SearchSettings): IDataObject {
	const { queries } = settings;
	return compact({
		// One query as a string, several as a list: both the SDK's type and n8n's built-in node.
		query: queries.length === 1 ? queries[0] : queries,
		max_results: settings.maxResults,
		max_tokens: settings.maxTokens,
		max_tokens_per_page: settings.maxTokensPerPage,
		country: settings.country,
		search_language_filter: settings.languages,
		...webFilterFields(settings.filters),
	});
}
