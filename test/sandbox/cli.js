#!/usr/bin/env node
// @ts-check
'use strict';

const { startSandbox } = require('./server');

const USAGE = `Usage: node test/sandbox/cli.js [--port N] [--host H] [--latency MS] [--key K] [--background MS] [--accept-docs-only] [--quiet]

  --port N         port to listen on (default: PORT or 0, a free port)
  --host H         interface to bind (default: 127.0.0.1)
  --latency MS     delay before every generated answer (default: 0)
  --key K          the API key clients must send (default: SANDBOX_API_KEY or sandbox-key)
  --background MS  how long background runs stay in progress (default: 300)
  --accept-docs-only
                   accept the Agent API fields only the docs name (temperature, top_p,
                   tool_choice, ...); without it they get the unknown-field 400
  --quiet          do not print one line per request`;

/** @param {string[]} argv */
function parseArgs(argv) {
	/** @type {Record<string, string | boolean>} */
	const args = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (['--help', '-h', '--quiet', '--accept-docs-only'].includes(arg)) {
			args[arg.replace(/^-+/, '')] = true;
			continue;
		}
		const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
		if (!m) throw new Error(`unexpected argument "${arg}"`);
		const value = m[2] ?? argv[++i];
		if (value === undefined) throw new Error(`${arg} needs a value`);
		args[m[1]] = value;
	}
	return args;
}

/** @param {string | boolean | undefined} value @param {string} name */
function number(value, name) {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0`);
	return n;
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	if (args.help || args.h) {
		console.log(USAGE);
		return;
	}
	for (const key of Object.keys(args)) {
		if (
			!['port', 'host', 'latency', 'key', 'background', 'quiet', 'accept-docs-only'].includes(key)
		) {
			throw new Error(`unknown option --${key}`);
		}
	}
	const sandbox = await startSandbox({
		port: number(args.port ?? process.env.PORT, 'port') ?? 0,
		host: typeof args.host === 'string' ? args.host : '127.0.0.1',
		apiKey: typeof args.key === 'string' ? args.key : process.env.SANDBOX_API_KEY || 'sandbox-key',
		latencyMs: number(args.latency, 'latency') ?? 0,
		backgroundMs: number(args.background, 'background') ?? 300,
		quiet: args.quiet === true,
		acceptDocsOnlyFields: args['accept-docs-only'] === true,
	});
	// Handlers first: whoever reads the address may signal us the moment it is printed.
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		await sandbox.stop();
		console.log('Perplexity sandbox stopped');
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);

	console.log(`Perplexity sandbox listening on ${sandbox.url}`);
	console.log(`API key: ${sandbox.apiKey}`);
	console.log(`Control: ${sandbox.url}/__sandbox/requests, /__sandbox/stats (Ctrl-C to stop)`);
}

main().catch((error) => {
	console.error(`sandbox: ${error instanceof Error ? error.message : error}`);
	console.error(USAGE);
	process.exit(1);
});
