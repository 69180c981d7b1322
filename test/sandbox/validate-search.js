// @ts-check
'use strict';

const { ApiError, ValidationFailure, invalidParameter } = require('./errors');
const { isObject } = require('./prompt');
const { RECENCY, searchFilters } = require('./validate-common');
const { BAD, detail, int, bool, str, strList, literal } = require('./validate-sonar');

/**
 * POST /search. Perplexity publishes this endpoint with FastAPI's 422 `HTTPValidationError`, so
 * wrong types and values outside the published constraints (minimum, maximum, minLength,
 * maxLength, maxItems of `ApiSearchRequest`) answer a 422 listing every failing field, in
 * pydantic's words. An unknown field is refused before that with the Agent API's 400 envelope
 * (assumption A19); the filter checks the other endpoints share (dates, recency with dates, domain
 * entries) answer their 400 envelopes afterwards.
 *
 * @typedef {import('./errors').Detail} Detail
 * @typedef {import('./search').SearchOptions} SearchOptions
 * @typedef {import('./validate-sonar').Coerce} Coerce
 * @typedef {{
 *   queries: string[], maxResults: number, maxTokens: number, maxTokensPerPage: number,
 *   country: string | null, languages: string[], searchOptions: SearchOptions,
 *   displayServerTime: boolean,
 * }} SearchSpec
 */

/** The published defaults of `ApiSearchRequest`. */
const DEFAULTS = { maxResults: 10, maxTokens: 10_000, maxTokensPerPage: 4096 };
/** Assumption A21: n8n's built-in node says "up to 5 queries"; the published schema has no limit. */
const MAX_QUERIES = 5;

/** @type {Coerce} */
function query(v, loc, errors) {
	if (typeof v === 'string') return v;
	if (Array.isArray(v)) return strList(v, [...loc, 'list[str]'], errors);
	errors.push(detail('string_type', [...loc, 'str'], 'Input should be a valid string', v));
	errors.push(detail('list_type', [...loc, 'list[str]'], 'Input should be a valid list', v));
	return BAD;
}

/**
 * pydantic's numeric bounds (`ge`, `le`) on an already coerced integer.
 * @param {number} min
 * @param {number} max
 * @returns {Coerce}
 */
const bounded = (min, max) => (v, loc, errors) => {
	const n = int(v, loc, errors);
	if (n === BAD) return BAD;
	if (/** @type {number} */ (n) < min) {
		errors.push(
			detail('greater_than_equal', loc, `Input should be greater than or equal to ${min}`, n, {
				ge: min,
			}),
		);
		return BAD;
	}
	if (/** @type {number} */ (n) > max) {
		errors.push(
			detail('less_than_equal', loc, `Input should be less than or equal to ${max}`, n, {
				le: max,
			}),
		);
		return BAD;
	}
	return n;
};

/**
 * A string of a fixed length range, as `minLength` / `maxLength` publish it.
 * @param {number} min
 * @param {number} max
 * @returns {Coerce}
 */
const sized = (min, max) => (v, loc, errors) => {
	const s = str(v, loc, errors);
	if (s === BAD) return BAD;
	const { length } = /** @type {string} */ (s);
	if (length < min) {
		const unit = min === 1 ? 'character' : 'characters';
		errors.push(
			detail('string_too_short', loc, `String should have at least ${min} ${unit}`, s, {
				min_length: min,
			}),
		);
		return BAD;
	}
	if (length > max) {
		errors.push(
			detail('string_too_long', loc, `String should have at most ${max} characters`, s, {
				max_length: max,
			}),
		);
		return BAD;
	}
	return s;
};

/**
 * A list with `maxItems`, each item checked by `item`.
 * @param {number} maxItems
 * @param {Coerce} item
 * @returns {Coerce}
 */
const listOf = (maxItems, item) => (v, loc, errors) => {
	if (!Array.isArray(v)) {
		errors.push(detail('list_type', loc, 'Input should be a valid list', v));
		return BAD;
	}
	const out = v.map((entry, i) => item(entry, [...loc, i], errors));
	if (out.includes(BAD)) return BAD;
	if (out.length > maxItems) {
		errors.push(
			detail(
				'too_long',
				loc,
				`List should have at most ${maxItems} items after validation, not ${out.length}`,
				v,
				{ field_type: 'List', max_length: maxItems, actual_length: out.length },
			),
		);
		return BAD;
	}
	return out;
};

/**
 * Every field the endpoint takes. Published (OpenAPI `ApiSearchRequest`, also in the official SDK's
 * `ApiSearchRequestInput`): query … last_updated_before_filter. In the SDK type only, and so let
 * in as the Agent endpoint lets in S fields: display_server_time, search_context_size,
 * search_mode, search_type.
 * @type {Record<string, Coerce>}
 */
const FIELDS = {
	query,
	max_results: bounded(1, 20),
	max_tokens: bounded(1, 1_000_000),
	max_tokens_per_page: bounded(1, 1_000_000),
	country: sized(2, 2),
	search_language_filter: listOf(20, sized(2, 2)),
	search_domain_filter: listOf(20, sized(0, 253)),
	search_recency_filter: literal(RECENCY),
	search_after_date_filter: str,
	search_before_date_filter: str,
	last_updated_after_filter: str,
	last_updated_before_filter: str,
	display_server_time: bool,
	search_context_size: literal(['low', 'medium', 'high']),
	search_mode: literal(['web', 'academic', 'sec']),
	search_type: literal(['web', 'people']),
};

/** @param {Detail[]} errors */
function fail(errors) {
	return new ValidationFailure(errors);
}

/**
 * @param {string} raw
 * @param {unknown} body parsed body, or undefined when it did not parse
 * @returns {SearchSpec}
 */
function validateSearch(raw, body) {
	if (body === undefined) {
		throw fail([
			raw.trim()
				? detail('json_invalid', ['body', 0], 'JSON decode error', {}, { error: 'Expecting value' })
				: detail('missing', ['body'], 'Field required', null),
		]);
	}
	if (!isObject(body)) {
		throw fail([
			body === null
				? detail('missing', ['body'], 'Field required', null)
				: detail(
						'model_attributes_type',
						['body'],
						'Input should be a valid dictionary or object to extract fields from',
						body,
					),
		]);
	}
	for (const key of Object.keys(body)) {
		if (!(key in FIELDS)) {
			throw new ApiError(
				400,
				'invalid_request',
				`invalid request body: json: unknown field "${key}"`,
				key,
			);
		}
	}

	/** @type {Detail[]} */
	const errors = [];
	if (body.query === undefined || body.query === null) {
		errors.push(detail('missing', ['body', 'query'], 'Field required', body));
	}
	// The search_type has to be known before max_results is bounded: the SDK says more than 20
	// results is for people search only.
	const people = body.search_type === 'people';
	/** @type {Record<string, any>} */
	const b = {};
	for (const [key, coerce] of Object.entries(FIELDS)) {
		const v = body[key];
		if (v === undefined || v === null) continue;
		const check = key === 'max_results' && people ? bounded(1, 1_000_000) : coerce;
		b[key] = check(v, ['body', key], errors);
	}
	if (errors.length) throw fail(errors);

	const queries = typeof b.query === 'string' ? [b.query] : /** @type {string[]} */ (b.query);
	if (queries.length === 0 || queries.some((q) => q.trim() === '')) {
		throw invalidParameter('query must be a non-empty string or a list of them', 'query');
	}
	if (queries.length > MAX_QUERIES) {
		throw invalidParameter(
			`query accepts at most ${MAX_QUERIES} queries, got ${queries.length}`,
			'query',
		);
	}
	const filters = searchFilters(b, b.search_domain_filter, 'search_domain_filter');
	return {
		queries,
		maxResults: b.max_results ?? DEFAULTS.maxResults,
		maxTokens: b.max_tokens ?? DEFAULTS.maxTokens,
		maxTokensPerPage: b.max_tokens_per_page ?? DEFAULTS.maxTokensPerPage,
		country: b.country ?? null,
		languages: b.search_language_filter ?? [],
		searchOptions: { ...filters, mode: b.search_mode ?? 'web' },
		displayServerTime: b.display_server_time === true,
	};
}

module.exports = { validateSearch, MAX_QUERIES };
