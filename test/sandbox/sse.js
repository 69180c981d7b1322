// @ts-check
'use strict';

/**
 * Server-sent events for both APIs, and the stream faults: `stream_cut` ends cleanly part-way with
 * no terminal event, `reset` destroys the socket part-way, `stream_error` ends with an error event.
 * @typedef {import('./respond').Exchange} Exchange
 */

const STREAM_FAULTS = new Set(['stream_cut', 'stream_error', 'reset']);

/**
 * @param {unknown} data an event object, or a literal such as `[DONE]`
 * @param {string | null} [event] the `event:` line every recorded Agent event has (Sonar: none)
 */
function frame(data, event) {
	const json = typeof data === 'string' ? data : JSON.stringify(data);
	return event ? `event: ${event}\ndata: ${json}\n\n` : `data: ${json}\n\n`;
}

/**
 * @param {Exchange} x
 * @param {string[]} frames the whole stream, in order
 * @param {number} cutAt how many frames a cut stream delivers
 * @param {string} errorFrame what `stream_error` sends after the cut
 */
function sendStream(x, frames, cutAt, errorFrame) {
	const { res } = x;
	if (res.headersSent || res.destroyed) return;
	const fault = x.fault && STREAM_FAULTS.has(x.fault.name) ? x.fault.name : null;
	res.writeHead(200, {
		...x.headers,
		'content-type': 'text/event-stream; charset=utf-8',
		'cache-control': 'no-cache',
		// A cut or errored stream ends the connection too; a reset one must look alive until it dies,
		// or clients read the close as a normal end of body.
		connection: fault && fault !== 'reset' ? 'close' : 'keep-alive',
	});
	let text = (fault ? frames.slice(0, cutAt) : frames).join('');
	if (fault === 'stream_error') text += errorFrame;
	// Two writes split at a byte in the middle (often inside an event, sometimes inside a UTF-8
	// sequence), so clients that assume one event per chunk fail here rather than in production.
	const bytes = Buffer.from(text);
	const mid = bytes.length >> 1;
	res.write(bytes.subarray(0, mid));
	if (fault === 'reset') res.write(bytes.subarray(mid), () => res.destroy());
	else res.end(bytes.subarray(mid));
}

/**
 * Text in small pieces of roughly four words, like a token stream batched by the server.
 * @param {string} text
 */
function deltas(text) {
	const out = [];
	for (let i = 0; i < text.length; ) {
		const space = text.indexOf(' ', i + 16);
		const end = space === -1 || space - i > 40 ? Math.min(i + 24, text.length) : space + 1;
		out.push(text.slice(i, end));
		i = end;
	}
	return out;
}

module.exports = { frame, sendStream, deltas };
