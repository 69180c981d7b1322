'use strict';
/**
 * What the sandbox and this machine allow without n8n: a bare Node.js client in its own process
 * (as n8n is), sending the same requests as n8n's HTTP Request node in the CPU table, a new
 * connection per request (as n8n's request helper opens), `concurrency` at a time. Its time
 * against the physical limit is the floor for every node in the throughput table.
 *
 *   node scripts/bench/bare-client.js URL KEY ITEMS CONCURRENCY  → prints {"ms": …, "ok": …}
 */
const { execFile } = require('node:child_process');
const http = require('node:http');

function post(url, key, agent, i) {
	const body = JSON.stringify({
		model: 'perplexity/sonar',
		input: `Question ${i}?`,
		tools: [{ type: 'web_search' }],
	});
	return new Promise((resolve, reject) => {
		const request = http.request(
			url,
			{
				method: 'POST',
				agent,
				headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
			},
			(response) => {
				let text = '';
				response.setEncoding('utf8');
				response.on('data', (chunk) => (text += chunk));
				response.on('end', () => {
					JSON.parse(text);
					resolve(response.statusCode);
				});
			},
		);
		request.on('error', reject);
		request.end(body);
	});
}

async function main([baseUrl, key, itemsArg, concurrencyArg]) {
	const items = Number(itemsArg);
	const concurrency = Number(concurrencyArg);
	const agent = new http.Agent({ keepAlive: false });
	const url = `${baseUrl}/v1/agent`;
	let next = 0;
	let ok = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < items) {
				if ((await post(url, key, agent, next++)) === 200) ok++;
			}
		}),
	);
	console.log(JSON.stringify({ ms: performance.now() - started, ok }));
}

/** Runs the client in a child process and returns its figures. */
function runBareClient({ url, key, items, concurrency }) {
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[__filename, url, key, String(items), String(concurrency)],
			(error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
		);
	});
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error) => {
		console.error(error);
		process.exit(1);
	});
}

module.exports = { runBareClient };
