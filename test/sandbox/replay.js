// @ts-check
'use strict';

const fs = require('fs');

/**
 * The `replay` fault: instead of answering, the sandbox serves a recorded body, byte for byte, so
 * a test can check what the node makes of real traffic (`shared/reference/recordings/`).
 *
 * Params: `file` (a `.json` body, or a `.chunks.txt` stream: one event JSON per line), or `body`
 * (a string served as is, or an object as JSON), or `chunks` (event JSON strings or objects);
 * `crlf` (streams: CRLF line endings); `splitSeed` (write in many small pieces of 1 to 32 bytes,
 * cut by a PRNG with this seed, so pieces end inside events, lines and UTF-8 characters).
 *
 * The recorder stripped the SSE envelope of `.chunks.txt` files, so the sandbox rebuilds it:
 * `event: <type>` + `data: <line>` for the Agent API (every recorded Agent event had both),
 * `data: <line>` for Sonar. The envelope is a reconstruction; the JSON lines are the recording's.
 *
 * @typedef {import('./respond').Exchange} Exchange
 * @typedef {{ stream: boolean, lines: string[], bytes: Buffer }} Recording
 */

const CHUNKS_SUFFIX = '.chunks.txt';
const MAX_PIECE = 32;

/**
 * @param {Record<string, any>} params
 * @returns {Recording}
 */
function loadRecording(params) {
	const sources = ['file', 'body', 'chunks'].filter((key) => params[key] !== undefined);
	if (sources.length !== 1) {
		throw new Error('a replay rule needs exactly one of file, body or chunks');
	}
	if (params.crlf !== undefined && typeof params.crlf !== 'boolean') {
		throw new Error('replay crlf must be a boolean');
	}
	if (params.splitSeed !== undefined && !Number.isInteger(params.splitSeed)) {
		throw new Error('replay splitSeed must be an integer');
	}
	if (params.file !== undefined) {
		if (typeof params.file !== 'string') throw new Error('replay file must be a path');
		const bytes = fs.readFileSync(params.file);
		if (!params.file.endsWith(CHUNKS_SUFFIX)) return { stream: false, lines: [], bytes };
		const lines = bytes
			.toString('utf8')
			.split('\n')
			.filter((line) => line.trim());
		return { stream: true, lines, bytes };
	}
	if (params.body !== undefined) {
		const text = typeof params.body === 'string' ? params.body : JSON.stringify(params.body);
		return { stream: false, lines: [], bytes: Buffer.from(text) };
	}
	if (!Array.isArray(params.chunks)) throw new Error('replay chunks must be an array');
	const lines = params.chunks.map((c) => (typeof c === 'string' ? c : JSON.stringify(c)));
	return { stream: true, lines, bytes: Buffer.alloc(0) };
}

/**
 * @param {string[]} lines
 * @param {boolean} agent
 * @param {boolean} crlf
 */
function envelope(lines, agent, crlf) {
	const eol = crlf ? '\r\n' : '\n';
	let text = '';
	for (const line of lines) {
		const type = agent ? JSON.parse(line).type : undefined;
		if (typeof type === 'string') text += `event: ${type}${eol}`;
		text += `data: ${line}${eol}${eol}`;
	}
	return Buffer.from(text);
}

/** mulberry32: a tiny seeded PRNG, so a failing split can be replayed exactly. @param {number} seed */
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * @param {Buffer} bytes
 * @param {number | undefined} seed
 * @returns {Buffer[]}
 */
function pieces(bytes, seed) {
	if (seed === undefined) return [bytes];
	const next = prng(seed);
	const out = [];
	for (let at = 0; at < bytes.length; ) {
		const size = 1 + Math.floor(next() * MAX_PIECE);
		out.push(bytes.subarray(at, at + size));
		at += size;
	}
	return out;
}

/**
 * Serves the recording. Each piece is its own write on its own turn of the event loop, so the
 * client's reads see the cuts rather than one coalesced buffer.
 * @param {Exchange} x
 * @param {Record<string, any>} params
 * @param {boolean} agent whether the request went to the Agent API (decides the SSE envelope)
 */
function replay(x, params, agent) {
	const { res } = x;
	if (res.headersSent || res.destroyed) return;
	const recording = loadRecording(params);
	const bytes = recording.stream
		? envelope(recording.lines, agent, params.crlf === true)
		: recording.bytes;
	res.writeHead(200, {
		...x.headers,
		...(recording.stream
			? { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }
			: { 'content-type': 'application/json', 'content-length': String(bytes.length) }),
	});
	const queue = pieces(bytes, params.splitSeed);
	const writeNext = () => {
		const piece = queue.shift();
		if (res.destroyed) return;
		if (piece === undefined) res.end();
		else res.write(piece, () => setImmediate(writeNext));
	};
	writeNext();
}

module.exports = { replay, loadRecording, pieces };
