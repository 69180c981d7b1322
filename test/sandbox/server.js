// @ts-check
'use strict';

const http = require('http');
const { createResponse, getResponse, cancelResponse } = require('./agent');
const { createEmbeddings, createContextualizedEmbeddings } = require('./embeddings');
const { RunStore } = require('./background');
const { MAX_TURNS } = require('./conversations');
const { DEFAULTS, checkConfig } = require('./config');
const { control } = require('./control');
const { parseDirectives } = require('./directives');
const { ApiError, ValidationFailure } = require('./errors');
const { FaultBook, answerFault } = require('./faults');
const { Ids } = require('./ids');
const { RequestLog } = require('./log');
const { modelList } = require('./models');
const { isObject, promptOf } = require('./prompt');
const { RateLimiter } = require('./ratelimit');
const { sendJson, sendError } = require('./respond');
const { createSearch } = require('./search-api');
const { createCompletion } = require('./sonar');

/**
 * The Perplexity sandbox: HTTP plumbing and the order every API request goes through.
 *
 * @typedef {import('./server').SandboxConfig} Config
 * @typedef {import('./server').StartOptions} StartOptions
 * @typedef {import('./server').Sandbox} Sandbox
 * @typedef {import('./faults').Api} Api
 * @typedef {import('./respond').Exchange} Exchange
 * @typedef {import('./agent').Run} Run
 * @typedef {{
 *   config: Config, apiKey: string, ids: Ids, log: RequestLog, faults: FaultBook,
 *   limiter: RateLimiter, runs: RunStore<Run>, turns: RunStore<import('./conversations').Turn>,
 *   wait: (ms: number) => Promise<void>,
 * }} State
 * @typedef {(x: Exchange, state: State, raw: string, body: unknown, id: string) => void} Handler
 * @typedef {{ api: Api, method: string, auth: boolean, generates: boolean, handler: Handler, id: string, pattern: string }} Route
 */

/** The real service refuses bodies over 32 MiB. */
const MAX_BODY = 32 * 1024 * 1024;
const START_KEYS = ['port', 'host', 'apiKey'];

/** @type {Handler} */
const listModels = (x) => sendJson(x, 200, modelList());

/**
 * @param {string} method
 * @param {string} path
 * @returns {Route | null}
 */
function routeOf(method, path) {
	/** @type {(api: Api, m: string, auth: boolean, generates: boolean, handler: Handler, id?: string, pattern?: string) => Route} */
	const r = (api, m, auth, generates, handler, id = '', pattern = path) => ({
		api,
		method: m,
		auth,
		generates,
		handler,
		id,
		pattern,
	});
	switch (path) {
		case '/v1/models':
			return r('models', 'GET', false, false, listModels);
		case '/v1/agent':
		case '/v1/responses':
			return r('agent', 'POST', true, true, createResponse);
		case '/search':
			return r('search', 'POST', true, true, createSearch);
		case '/chat/completions':
		case '/v1/chat/completions':
		case '/v1/sonar':
			return r('sonar', 'POST', true, true, createCompletion);
		case '/v1/embeddings':
			return r('embeddings', 'POST', true, true, createEmbeddings);
		case '/v1/contextualizedembeddings':
			return r('embeddings', 'POST', true, true, createContextualizedEmbeddings);
	}
	if (path.startsWith('/v1/responses/')) {
		const rest = path.slice('/v1/responses/'.length);
		if (rest.endsWith('/cancel')) {
			const id = decodeURIComponent(rest.slice(0, -'/cancel'.length));
			return r(
				'response',
				'POST',
				true,
				false,
				(x, s) => cancelResponse(x, s, id),
				id,
				'/v1/responses/{id}/cancel',
			);
		}
		if (rest && !rest.includes('/')) {
			const id = decodeURIComponent(rest);
			return r(
				'response',
				'GET',
				true,
				false,
				(x, s) => getResponse(x, s, id),
				id,
				'/v1/responses/{id}',
			);
		}
	}
	return null;
}

/**
 * @param {string | undefined} header
 * @param {string} key
 * @returns {import('./server').Auth}
 */
function authOf(header, key) {
	if (!header) return 'missing';
	const m = /^Bearer\s*(.*)$/i.exec(header);
	if (!m) return 'invalid';
	const token = m[1].trim();
	if (!token) return 'missing';
	return token === key ? 'ok' : 'invalid';
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<string | null>} null when the body is over MAX_BODY
 */
function readBody(req) {
	return new Promise((resolve, reject) => {
		/** @type {Buffer[]} */
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size <= MAX_BODY) chunks.push(chunk);
		});
		req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/** @param {unknown} body */
function modelOf(body) {
	if (!isObject(body)) return null;
	const m = body.model ?? body.preset ?? (Array.isArray(body.models) ? body.models[0] : null);
	return typeof m === 'string' ? m : null;
}

/**
 * One API request, in the order the real service applies things: route, auth, rate limit, then
 * (as the sandbox's own layer) faults and latency, then validation and the answer.
 * @param {State} state
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 * @param {string} path
 */
async function handleApi(state, req, res, path) {
	const method = req.method ?? 'GET';
	const route = routeOf(method, path);
	// Stats group by route so ids in paths do not make a key per run.
	const entry = state.log.start(method, path, route?.pattern ?? '(no route)');
	res.on('close', () => {
		state.log.finish(entry, res.headersSent ? res.statusCode : null);
		if (!state.config.quiet) {
			const fault = entry.fault ? ` [${entry.fault}]` : '';
			console.log(
				`${method} ${path} ${entry.status ?? '-'}${fault} ${Date.now() - entry.startedAt}ms`,
			);
		}
	});
	/** @type {Exchange} */
	const x = { res, headers: { 'x-request-id': state.ids.request() }, fault: null };
	try {
		const raw = await readBody(req);
		const now = Date.now();
		Object.assign(x.headers, state.limiter.headers(now));
		if (raw === null) throw new ApiError(413, 'payload_too_large', 'Request body exceeds 32 MiB');
		if (!route) throw new ApiError(404, 'not_found', `No route for ${method} ${path}`);
		if (route.method !== method) {
			throw new ApiError(405, 'invalid_request', `Method ${method} is not allowed on ${path}`);
		}
		if (route.auth) {
			entry.auth = authOf(req.headers.authorization, state.apiKey);
			if (entry.auth !== 'ok') {
				// As recorded: Perplexity's 401 has neither x-request-id nor x-ratelimit-* headers.
				x.headers = {};
				throw new ApiError(
					401,
					'invalid_api_key',
					entry.auth === 'missing'
						? 'Missing API key. Send it as "Authorization: Bearer <key>".'
						: 'Invalid API key provided.',
				);
			}
		}
		const limited = state.limiter.take(now);
		Object.assign(x.headers, state.limiter.headers(now));
		if (limited) {
			entry.fault = 'rate_limiter';
			throw new ApiError(
				429,
				'request_rate_limit_exceeded',
				'Rate limit exceeded. Please retry after the reset time.',
			);
		}

		/** @type {unknown} */
		let body;
		if (raw.trim()) {
			try {
				body = JSON.parse(raw);
			} catch {
				body = undefined; // each API words its own parse error
			}
		}
		const directives = route.generates ? parseDirectives(raw, body) : null;
		if (route.generates) {
			entry.stream = isObject(body) && body.stream === true;
			entry.prompt = promptOf(body);
			if (state.config.logBodies) entry.body = body ?? raw;
		}
		x.fault = state.faults.pick(
			{ api: route.api, path, stream: entry.stream, prompt: entry.prompt, model: modelOf(body) },
			directives,
		);
		entry.fault = x.fault?.name ?? null;

		let delay = route.generates ? (directives?.latencyMs ?? state.config.latencyMs) : 0;
		if (x.fault?.name === 'slow_first_byte') delay += Number(x.fault.params.delayMs ?? 2000);
		if (delay > 0) await state.wait(delay);
		if (x.fault && answerFault(x, x.fault, route.api)) return;
		route.handler(x, state, raw, body, route.id);
	} catch (error) {
		if (error instanceof ApiError || error instanceof ValidationFailure) {
			sendError(x, error);
			return;
		}
		console.error('[sandbox] unexpected error', error);
		sendError(x, new ApiError(500, 'internal_error', 'The sandbox hit an unexpected error.'));
	}
}

/**
 * @param {Sandbox} sandbox
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 * @param {string} path
 * @param {string} search
 */
async function handleControl(sandbox, req, res, path, search) {
	const raw = (await readBody(req)) ?? '';
	const { status, body } = control(
		sandbox,
		req.method ?? 'GET',
		path,
		new URLSearchParams(search),
		raw,
	);
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': String(Buffer.byteLength(text)),
	});
	res.end(text);
}

/**
 * @param {StartOptions} [options]
 * @returns {Promise<Sandbox>}
 */
async function startSandbox(options = {}) {
	/** @type {Config} */
	const initial = { ...DEFAULTS, ...checkConfig(options, START_KEYS) };
	const port = options.port ?? 0;
	const host = options.host ?? '127.0.0.1';
	/** @type {Set<NodeJS.Timeout>} */
	const timers = new Set();
	/** @type {State} */
	const state = {
		config: { ...initial },
		apiKey: options.apiKey ?? 'sandbox-key',
		ids: new Ids(),
		log: new RequestLog(),
		faults: new FaultBook(),
		limiter: new RateLimiter(initial.rateLimit),
		runs: new RunStore(50_000),
		turns: new RunStore(MAX_TURNS),
		// Tracked so stop() can cancel pending latency waits instead of keeping the process alive.
		wait: (ms) =>
			new Promise((resolve) => {
				const t = setTimeout(() => {
					timers.delete(t);
					resolve();
				}, ms);
				timers.add(t);
			}),
	};

	const server = http.createServer((req, res) => {
		const url = req.url ?? '/';
		const q = url.indexOf('?');
		const path = q === -1 ? url : url.slice(0, q);
		if (path.startsWith('/__sandbox/')) {
			handleControl(sandbox, req, res, path, q === -1 ? '' : url.slice(q + 1)).catch((e) =>
				res.destroy(e),
			);
		} else {
			handleApi(state, req, res, path).catch((e) => res.destroy(e));
		}
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve(undefined);
		});
	});
	const address = /** @type {import('net').AddressInfo} */ (server.address());
	const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
	const urlHost = reachable.includes(':') ? `[${reachable}]` : reachable;

	/** @type {Sandbox} */
	const sandbox = {
		url: `http://${urlHost}:${address.port}`,
		port: address.port,
		apiKey: state.apiKey,
		stop() {
			for (const t of timers) clearTimeout(t);
			timers.clear();
			return new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
		reset() {
			state.config = { ...initial };
			state.ids.reset();
			state.log.clear();
			state.faults.clear();
			state.runs.clear();
			state.turns.clear();
			state.limiter.configure(initial.rateLimit);
		},
		requests: (since) => state.log.list(since),
		stats: () => state.log.stats(),
		addFault: (rule) => state.faults.add(rule),
		clearFaults: () => state.faults.clear(),
		faults: () => state.faults.list(),
		configure(partial) {
			const changes = checkConfig(partial);
			state.config = { ...state.config, ...changes };
			if ('rateLimit' in changes) state.limiter.configure(state.config.rateLimit);
			return { ...state.config };
		},
		config: () => ({ ...state.config }),
	};
	return sandbox;
}

module.exports = { startSandbox };
