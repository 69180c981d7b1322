// @ts-check
'use strict';

const { ApiError, invalidParameter } = require('./errors');
const { DAY_MS, NO_FILTERS } = require('./search');

/**
 * Semantic checks both services apply the same way once the body has the right types: ranges,
 * enums, search filters. Each throws the 400 the real service answers.
 * @typedef {import('./search').SearchOptions} SearchOptions
 */

const RECENCY = ['hour', 'day', 'week', 'month', 'year'];
const DATE_FILTERS = [
	'search_after_date_filter',
	'search_before_date_filter',
	'last_updated_after_filter',
	'last_updated_before_filter',
];
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * @param {string} name
 * @param {number | undefined | null} value
 * @param {number} min
 * @param {number} max
 * @param {{ exclusiveMin?: boolean }} [opts]
 */
function range(name, value, min, max, opts = {}) {
	if (value === undefined || value === null) return;
	const low = opts.exclusiveMin ? value <= min : value < min;
	if (low || value > max) {
		const lower = opts.exclusiveMin ? `greater than ${min}` : `at least ${min}`;
		const upper = max === Infinity ? '' : ` and at most ${max}`;
		throw invalidParameter(`${name} must be ${lower}${upper}, got ${value}`, name);
	}
}

/**
 * @param {string} name
 * @param {string | undefined | null} value
 * @param {readonly string[]} allowed
 */
function oneOf(name, value, allowed) {
	if (value === undefined || value === null || allowed.includes(value)) return;
	throw invalidParameter(`${name} must be one of ${allowed.join(', ')}, got "${value}"`, name);
}

/**
 * `MM/DD/YYYY` (zero padding optional, as Python's strptime allows) to a day number.
 * @param {string} name
 * @param {string} value
 */
function usDate(name, value) {
	const m = US_DATE.exec(value);
	if (m) {
		const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
		const t = Date.UTC(year, month - 1, day);
		const d = new Date(t);
		if (d.getUTCMonth() === month - 1 && d.getUTCDate() === day) return Math.floor(t / DAY_MS);
	}
	throw new ApiError(
		400,
		'invalid_date_format',
		`Invalid date format for ${name}: "${value}". Expected MM/DD/YYYY.`,
		name,
	);
}

/**
 * @param {unknown[] | undefined | null} list
 * @param {string} param
 */
function domainFilter(list, param) {
	/** @type {{ allow: string[], deny: string[] }} */
	const out = { allow: [], deny: [] };
	if (!list) return out;
	/** @param {string} why */
	const fail = (why) => new ApiError(400, 'invalid_search_domain_filter', why, param);
	if (list.length > 20) throw fail(`${param} accepts at most 20 domains, got ${list.length}`);
	for (const raw of list) {
		const entry = String(raw).trim();
		if (!entry || entry === '-') throw fail(`${param} contains an empty entry`);
		if (entry.length > 253) throw fail(`${param} entries must be at most 253 characters`);
		if (entry.includes('://')) {
			throw fail(`${param} entries must be domain names without a scheme, got "${entry}"`);
		}
		const host = entry.toLowerCase().replace(/\/.*$/, '');
		if (host.startsWith('-')) out.deny.push(host.slice(1));
		else out.allow.push(host);
	}
	return out;
}

/**
 * The filters shared by Sonar's top level and the Agent web_search tool's `filters`.
 * @param {Record<string, any>} f
 * @param {unknown[] | undefined} domains
 * @param {string} domainParam
 * @returns {Omit<SearchOptions, 'mode'>}
 */
function searchFilters(f, domains, domainParam) {
	if (!domains && f.search_recency_filter == null && DATE_FILTERS.every((n) => f[n] == null)) {
		return NO_FILTERS;
	}
	oneOf('search_recency_filter', f.search_recency_filter, RECENCY);
	/** @type {(number | null)[]} */
	const days = DATE_FILTERS.map((name) =>
		typeof f[name] === 'string' ? usDate(name, f[name]) : null,
	);
	const recency = f.search_recency_filter ?? null;
	if (recency && days.some((d) => d !== null)) {
		throw invalidParameter(
			'search_recency_filter cannot be combined with date filters; use one or the other',
			'search_recency_filter',
		);
	}
	const [after, before, updatedAfter, updatedBefore] = days;
	if (after !== null && before !== null && after >= before) {
		throw invalidParameter(
			'search_after_date_filter must be earlier than search_before_date_filter',
			'search_after_date_filter',
		);
	}
	return {
		...domainFilter(domains, domainParam),
		recency,
		after,
		before,
		updatedAfter,
		updatedBefore,
	};
}

module.exports = { range, oneOf, searchFilters, RECENCY };
