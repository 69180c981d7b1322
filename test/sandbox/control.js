// @ts-check
'use strict';

/**
 * `/__sandbox/*`: the programmatic API over HTTP, for processes that cannot hold the sandbox object
 * (n8n, the benchmark, a human with curl). No auth, never logged, never faulted.
 * @typedef {import('./server').Sandbox} Sandbox
 */

/**
 * @param {Sandbox} sandbox
 * @param {string} method
 * @param {string} path
 * @param {URLSearchParams} query
 * @param {string} raw
 * @returns {{ status: number, body: unknown }}
 */
function control(sandbox, method, path, query, raw) {
	try {
		const body = raw.trim() ? JSON.parse(raw) : {};
		switch (`${method} ${path}`) {
			case 'GET /__sandbox/requests':
				return { status: 200, body: sandbox.requests(Number(query.get('since') ?? 0)) };
			case 'GET /__sandbox/stats':
				return { status: 200, body: sandbox.stats() };
			case 'POST /__sandbox/reset':
				sandbox.reset();
				return { status: 200, body: { ok: true } };
			case 'POST /__sandbox/faults':
				return { status: 200, body: { ok: true, id: sandbox.addFault(body) } };
			case 'GET /__sandbox/faults':
				return { status: 200, body: sandbox.faults() };
			case 'DELETE /__sandbox/faults':
				sandbox.clearFaults();
				return { status: 200, body: { ok: true } };
			case 'POST /__sandbox/config':
				return { status: 200, body: sandbox.configure(body) };
			case 'GET /__sandbox/config':
				return { status: 200, body: sandbox.config() };
			default:
				return {
					status: 404,
					body: {
						error: {
							message: `no control endpoint ${method} ${path}`,
							type: 'not_found',
							code: 404,
						},
					},
				};
		}
	} catch (e) {
		const message = e instanceof Error ? e.message : String(e);
		return { status: 400, body: { error: { message, type: 'invalid_request', code: 400 } } };
	}
}

module.exports = { control };
