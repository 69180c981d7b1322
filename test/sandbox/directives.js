// @ts-check
'use strict';

const { forEachText } = require('./prompt');

/**
 * Prompt directives let one workflow item carry its own fault, e.g. `[[sandbox:rate_limit times=2]]`
 * or `[[sandbox:latency=500]]`, so a test can make item 3 of 10 fail without touching the others.
 */

const MARK = '[[sandbox:';
const DIRECTIVE = /\[\[sandbox:([^\]]*)\]\]/g;

/**
 * @typedef {{ name: string, times: number, params: Record<string, string|number> }} FaultDirective
 * @typedef {{ faults: FaultDirective[], latencyMs: number | null }} Directives
 */

/** @param {string} v */
const scalar = (v) => (v !== '' && Number.isFinite(Number(v)) ? Number(v) : v);

/**
 * @param {string} inner text between `[[sandbox:` and `]]`
 * @param {Directives} into
 */
function parseOne(inner, into) {
	const tokens = inner.trim().split(/\s+/).filter(Boolean);
	if (tokens.length === 0) return;
	const [head, ...rest] = tokens;
	if (head.startsWith('latency=')) {
		const ms = Number(head.slice(8));
		if (Number.isFinite(ms) && ms >= 0) into.latencyMs = ms;
		return;
	}
	/** @type {FaultDirective} */
	const directive = { name: head, times: Infinity, params: {} };
	for (const token of rest) {
		const eq = token.indexOf('=');
		if (eq <= 0) continue;
		const key = token.slice(0, eq);
		const value = scalar(token.slice(eq + 1));
		if (key === 'times' && typeof value === 'number') directive.times = value;
		else directive.params[key] = value;
	}
	// The same directive repeated in the history of a conversation is still one directive.
	if (!into.faults.some((f) => f.name === directive.name && f.times === directive.times)) {
		into.faults.push(directive);
	}
}

/**
 * @param {string} raw the raw body, checked first so the common case costs one substring search
 * @param {unknown} body the parsed body
 * @returns {Directives | null}
 */
function parseDirectives(raw, body) {
	if (!raw.includes(MARK)) return null;
	/** @type {Directives} */
	const found = { faults: [], latencyMs: null };
	forEachText(body, (text) => {
		if (!text.includes(MARK)) return;
		for (const m of text.matchAll(DIRECTIVE)) parseOne(m[1], found);
	});
	return found.faults.length || found.latencyMs !== null ? found : null;
}

/**
 * Directives never leak into answers: a chained node that quotes the answer would otherwise
 * inherit the first node's fault.
 * @param {string} text
 */
function stripDirectives(text) {
	if (!text.includes(MARK)) return text;
	return text
		.replace(DIRECTIVE, ' ')
		.replace(/[ \t]{2,}/g, ' ')
		.trim();
}

module.exports = { parseDirectives, stripDirectives };
