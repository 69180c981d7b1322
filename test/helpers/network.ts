/**
 * Loopback-only networking for in-process workflow tests: every TCP connection the process
 * opens to a host other than 127.0.0.1, ::1 or localhost (or a name under .invalid, which fails
 * its DNS lookup, so that tests can see that failure) fails with EHARNESSNETWORK, the way
 * n8n's own node tests refuse real connections (nock.disableNetConnect). Unix sockets and IPC
 * are left alone. The guard sits on net.Socket, below http, https, axios and fetch's undici.
 */
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);
/** RFC 6761: names under .invalid never resolve, so letting them through reaches nothing. */
const NEVER_RESOLVES = /\.invalid\.?$/i;
const installed = Symbol.for('n8n-nodes-perplexity-chat.harness.loopbackOnly');

type ConnectTarget = { host?: unknown; path?: unknown; port?: unknown };

function targetOf(args: unknown[]): ConnectTarget {
	// Node normalizes connect() calls into [options, callback] before they reach the socket;
	// the other shapes are kept for direct callers: (port, host?, cb?) and (path, cb?).
	const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
	if (first && typeof first === 'object') return first as ConnectTarget;
	if (typeof first === 'string' && Number.isNaN(Number(first))) return { path: first };
	return { port: first, host: typeof second === 'string' ? second : undefined };
}

export class BlockedNetworkError extends Error {
	readonly code = 'EHARNESSNETWORK';

	constructor(target: string) {
		super(`The workflow harness allows only loopback connections; one to ${target} was blocked`);
		this.name = 'BlockedNetworkError';
	}
}

/** Installs the guard once per process (it is shared by all test files of a jest worker). */
export function allowOnlyLoopback(): void {
	const proto = net.Socket.prototype as unknown as Record<symbol, boolean> & {
		connect: (...args: unknown[]) => net.Socket;
	};
	if (proto[installed]) return;
	const original = proto.connect;
	proto.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
		const target = targetOf(args);
		// http and tls pass `path: null` for TCP; a string path is a Unix socket or named pipe.
		const ipc = typeof target.path === 'string' && target.path !== '';
		if (!ipc) {
			const host =
				typeof target.host === 'string' && target.host !== '' ? target.host : 'localhost';
			if (!LOOPBACK.has(host.replace(/^\[|\]$/g, '')) && !NEVER_RESOLVES.test(host)) {
				const error = new BlockedNetworkError(`${host}:${String(target.port)}`);
				process.nextTick(() => this.destroy(error));
				return this;
			}
		}
		return original.apply(this, args);
	};
	proto[installed] = true;
}
