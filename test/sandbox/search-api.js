// @ts-check
'use strict';

const { tokens } = require('./answers');
const { stripDirectives } = require('./directives');
const { sendJson } = require('./respond');
const { search, searchableWords, titleOf } = require('./search');
const { validateSearch } = require('./validate-search');

/**
 * The Search API (`POST /search`): ranked pages for one query or several, in the published
 * `ApiSearchResponse` shape `{results: [{title, url, snippet, date, last_updated}], id,
 * server_time}`. The pages come from the same engine as the answers' sources (search.js), so a
 * query finds the same pages here as in a chat answer, and pages are named after the query's
 * words: a test can tell which input item a result belongs to.
 *
 * @typedef {import('./respond').Exchange} Exchange
 * @typedef {import('./validate-search').SearchSpec} SearchSpec
 * @typedef {{ title: string, url: string, snippet: string, date: string | null, last_updated: string | null }} Page
 * @typedef {{ ids: import('./ids').Ids }} SearchState
 */

/**
 * One query's pages. A query with no word worth searching for (only stopwords and punctuation)
 * finds nothing (assumption A22).
 * @param {string} text
 * @param {SearchSpec} spec
 * @returns {Page[]}
 */
function pagesFor(text, spec) {
	const question = stripDirectives(text).trim();
	if (searchableWords(question).length === 0) return [];
	return search(question, titleOf(question), spec.searchOptions, spec.maxResults).map((r) => ({
		title: r.title,
		url: r.url,
		snippet: r.snippet,
		date: r.date ?? null,
		last_updated: r.last_updated,
	}));
}

/**
 * Several queries give one list, as the published schema has it: the queries' pages taken in
 * turn (first of each, then second of each, …), each URL once, at most max_results in all
 * (assumption A20).
 * @param {Page[][]} lists
 * @param {number} max
 */
function interleave(lists, max) {
	/** @type {Page[]} */
	const merged = [];
	const seen = new Set();
	const longest = Math.max(0, ...lists.map((list) => list.length));
	for (let rank = 0; rank < longest && merged.length < max; rank++) {
		for (const list of lists) {
			const page = list[rank];
			if (!page || seen.has(page.url) || merged.length >= max) continue;
			seen.add(page.url);
			merged.push(page);
		}
	}
	return merged;
}

/**
 * Page text within max_tokens_per_page, and all pages within max_tokens, at about four
 * characters a token (assumption A8); a page with no budget left is dropped.
 * @param {Page[]} pages
 * @param {SearchSpec} spec
 */
function withinBudget(pages, spec) {
	let left = spec.maxTokens;
	/** @type {Page[]} */
	const kept = [];
	for (const page of pages) {
		if (left <= 0) break;
		const budget = Math.min(spec.maxTokensPerPage, left);
		const snippet =
			tokens(page.snippet.length) > budget ? page.snippet.slice(0, budget * 4) : page.snippet;
		left -= tokens(snippet.length);
		kept.push({ ...page, snippet });
	}
	return kept;
}

/**
 * @param {Exchange} x
 * @param {SearchState} state
 * @param {string} raw
 * @param {unknown} body
 */
function createSearch(x, state, raw, body) {
	const spec = validateSearch(raw, body);
	const lists = spec.queries.map((text) => pagesFor(text, spec));
	const pages = lists.length === 1 ? lists[0] : interleave(lists, spec.maxResults);
	sendJson(x, 200, {
		results: withinBudget(pages, spec),
		id: state.ids.search(),
		// Assumption A23: null unless display_server_time asks for it.
		server_time: spec.displayServerTime ? new Date().toISOString() : null,
	});
}

module.exports = { createSearch };
