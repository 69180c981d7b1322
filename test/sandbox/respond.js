// @ts-check
'use strict';

/**
 * Writing responses. Every body goes through here so the body-corrupting faults (`reset`,
 * `malformed_json`) apply to whatever the request would have received.
 *
 * @typedef {{ name: string, params: Record<string, any>, source: 'rule' | 'directive' }} ActiveFault
 * @typedef {{
 *   res: import('http').ServerResponse,
 *   headers: Record<string, string>,
 *   fault: ActiveFault | null,
 * }} Exchange
 */

const JSON_TYPE = 'application/json';

/**
 * @param {Exchange} x
 * @param {number} status
 * @param {string} contentType
 * @param {string} text
 */
function send(x, status, contentType, text) {
	const { res } = x;
	// The client may have gone away during a latency wait.
	if (res.headersSent || res.destroyed) return;
	const fault = x.fault?.name;
	const payload = fault === 'malformed_json' ? text.slice(0, Math.floor(text.length * 0.6)) : text;
	if (fault === 'reset') {
		// Full length announced, half delivered, then the socket dies: what a dropped upstream looks like.
		const bytes = Buffer.from(payload);
		res.writeHead(status, {
			...x.headers,
			'content-type': contentType,
			'content-length': String(bytes.length),
		});
		res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy());
		return;
	}
	res.writeHead(status, {
		...x.headers,
		'content-type': contentType,
		'content-length': String(Buffer.byteLength(payload)),
	});
	res.end(payload);
}

/** @param {Exchange} x @param {number} status @param {unknown} body */
function sendJson(x, status, body) {
	send(x, status, JSON_TYPE, JSON.stringify(body));
}

/**
 * @param {Exchange} x
 * @param {{ status: number, toBody(): unknown }} error an ApiError or a ValidationFailure
 */
function sendError(x, error) {
	sendJson(x, error.status, error.toBody());
}

/** @param {Exchange} x @param {number} status @param {string} html */
function sendHtml(x, status, html) {
	send(x, status, 'text/html; charset=utf-8', html);
}

module.exports = { send, sendJson, sendError, sendHtml };
