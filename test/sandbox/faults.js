// @ts-check
'use strict';

const { ApiError } = require('./errors');
const { replay, loadRecording } = require('./replay');
const { sendJson, sendError, sendHtml } = require('./respond');

/**
 * Fault rules (from `addFault` or `POST /__sandbox/faults`) and prompt directives, and the faults
 * that replace a response outright. Faults that alter a real response (reset, malformed_json,
 * failed, cancelled, incomplete, stream_cut, stream_error) are carried on the exchange and applied
 * by the code that builds that response.
 *
 * @typedef {import('./respond').Exchange} Exchange
 * @typedef {import('./respond').ActiveFault} ActiveFault
 * @typedef {import('./directives').Directives} Directives
 * @typedef {'agent' | 'sonar' | 'search' | 'models' | 'response' | 'embeddings'} Api  `response`: GET/cancel of a stored run
 * @typedef {{ api: Api, path: string, stream: boolean, prompt: string | null, model: string | null }} Target
 * @typedef {import('./server').FaultMatch} Match
 * @typedef {{ id: number, fault: import('./server').FaultName, times: number | null, remaining: number, hits: number, match: Match, params: Record<string, any> }} StoredRule
 */

/** Where each fault makes sense; a rule is only spent on requests it can apply to. */
const FAULTS = /** @type {const} */ ({
	rate_limit: 'any',
	server_error: 'any',
	bad_gateway: 'any',
	unavailable: 'any',
	html_401: 'any',
	fastapi_422: 'any',
	bad_request: 'any',
	slow_first_byte: 'any',
	reset: 'any',
	malformed_json: 'json',
	failed: 'agent',
	cancelled: 'agent',
	incomplete: 'completion',
	stream_cut: 'stream',
	stream_error: 'stream',
	replay: 'answer',
});

const FAULT_NAMES = Object.keys(FAULTS);

/** @param {string} name @param {Target} t */
function applies(name, t) {
	switch (FAULTS[/** @type {keyof typeof FAULTS} */ (name)]) {
		case undefined:
			return false;
		case 'json':
			return !t.stream;
		case 'agent':
			return t.api === 'agent' || t.api === 'response';
		case 'answer':
			return t.api !== 'models';
		case 'completion':
			return t.api === 'agent' || t.api === 'sonar' || t.api === 'response';
		case 'stream':
			return t.stream;
		default:
			return true;
	}
}

/** @param {Match} m @param {Target} t */
function matches(m, t) {
	if (m.path !== undefined) {
		const ok = m.path.endsWith('*') ? t.path.startsWith(m.path.slice(0, -1)) : t.path === m.path;
		if (!ok) return false;
	}
	if (m.prompt !== undefined && !(t.prompt ?? '').includes(m.prompt)) return false;
	if (m.model !== undefined && t.model !== m.model) return false;
	return true;
}

/**
 * @param {unknown} rule
 * @returns {Omit<StoredRule, 'id' | 'hits'>}
 */
function checkRule(rule) {
	if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
		throw new Error('a fault rule must be an object like { "fault": "rate_limit", "times": 2 }');
	}
	const { fault, times, match, ...params } = /** @type {Record<string, any>} */ (rule);
	if (!FAULT_NAMES.includes(fault)) {
		throw new Error(`unknown fault "${fault}"; known faults: ${FAULT_NAMES.join(', ')}`);
	}
	if (times !== undefined && times !== null && !(Number.isInteger(times) && times > 0)) {
		throw new Error('times must be a positive integer (omit it for no limit)');
	}
	if (match !== undefined && (typeof match !== 'object' || match === null)) {
		throw new Error('match must be an object with optional path, prompt and model');
	}
	for (const key of Object.keys(match ?? {})) {
		if (!['path', 'prompt', 'model'].includes(key) || typeof match[key] !== 'string') {
			throw new Error(`match.${key} is not supported; use path, prompt or model (strings)`);
		}
	}
	// A replay rule with a missing file should fail when it is added, not on the request.
	if (fault === 'replay') loadRecording(params);
	const limited = times !== undefined && times !== null;
	return {
		fault,
		times: limited ? times : null,
		remaining: limited ? times : Infinity,
		match: match ?? {},
		params,
	};
}

class FaultBook {
	constructor() {
		/** @type {StoredRule[]} */
		this.rules = [];
		/** attempts per distinct prompt text, for directives' `times` */
		/** @type {Map<string, number>} */
		this.attempts = new Map();
		this.nextId = 1;
	}

	clear() {
		this.rules = [];
		this.attempts.clear();
		this.nextId = 1;
	}

	/** @param {unknown} rule @returns {number} the rule's id */
	add(rule) {
		const stored = { id: this.nextId++, hits: 0, ...checkRule(rule) };
		this.rules.push(stored);
		return stored.id;
	}

	list() {
		return this.rules.map((r) => ({
			...r,
			remaining: r.remaining === Infinity ? null : r.remaining,
		}));
	}

	/**
	 * The fault this request gets, if any: the request's own directives first, then the first rule
	 * with uses left that matches.
	 * @param {Target} target
	 * @param {Directives | null} directives
	 * @returns {ActiveFault | null}
	 */
	pick(target, directives) {
		if (directives && directives.faults.length) {
			const key = target.prompt ?? '';
			const attempt = (this.attempts.get(key) ?? 0) + 1;
			this.attempts.set(key, attempt);
			for (const d of directives.faults) {
				if (attempt <= d.times && applies(d.name, target)) {
					return { name: d.name, params: d.params, source: 'directive' };
				}
			}
		}
		for (const rule of this.rules) {
			if (rule.remaining > 0 && matches(rule.match, target) && applies(rule.fault, target)) {
				rule.remaining--;
				rule.hits++;
				return { name: rule.fault, params: rule.params, source: 'rule' };
			}
		}
		return null;
	}
}

const HTML = (/** @type {string} */ title, /** @type {string} */ server) =>
	`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>${server}</center>\r\n</body>\r\n</html>\r\n`;

/**
 * Answers the request when the fault replaces the response outright.
 * @param {Exchange} x
 * @param {ActiveFault} fault
 * @param {Api} api
 * @returns {boolean} false when the fault is for the response builder to apply
 */
function answerFault(x, fault, api) {
	const p = fault.params;
	/** @param {string} fallback */
	const message = (fallback) => (typeof p.message === 'string' ? p.message : fallback);
	switch (fault.name) {
		case 'rate_limit': {
			const nowMs = Date.now();
			const waitMs = p.retryAfterMs ?? (p.retryAfter ?? 1) * 1000;
			x.headers['x-ratelimit-remaining'] = '0';
			x.headers['x-ratelimit-reset'] = String(Math.ceil((nowMs + waitMs) / 1000));
			if (p.retryAfter !== undefined) x.headers['retry-after'] = String(p.retryAfter);
			if (p.retryAfterMs !== undefined) x.headers['retry-after-ms'] = String(p.retryAfterMs);
			sendError(
				x,
				new ApiError(
					429,
					'request_rate_limit_exceeded',
					message('Rate limit exceeded. Please retry after the reset time.'),
				),
			);
			return true;
		}
		case 'server_error':
			sendError(
				x,
				new ApiError(500, 'internal_error', message('An internal error occurred. Please retry.')),
			);
			return true;
		case 'unavailable':
			sendError(
				x,
				new ApiError(
					503,
					'service_unavailable',
					message('The service is temporarily unavailable. Please retry shortly.'),
				),
			);
			return true;
		case 'bad_request':
			sendError(x, new ApiError(400, 'invalid_request', message('Bad request.')));
			return true;
		case 'bad_gateway':
			sendHtml(x, 502, HTML('502 Bad Gateway', 'cloudflare'));
			return true;
		case 'html_401':
			sendHtml(x, 401, HTML('401 Authorization Required', 'openresty/1.25.3.1'));
			return true;
		case 'fastapi_422':
			sendJson(x, 422, {
				detail: [
					{
						type: 'missing',
						loc: ['body', 'messages'],
						msg: message('Field required'),
						input: null,
					},
				],
			});
			return true;
		case 'replay':
			replay(x, p, api !== 'sonar');
			return true;
		default:
			return false;
	}
}

module.exports = { FaultBook, answerFault, FAULT_NAMES };
