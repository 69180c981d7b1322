'use strict';
/**
 * n8n's built-in Perplexity node hard-codes https://api.perplexity.ai. To benchmark it against the
 * sandbox without touching n8n, n8n runs with HTTPS_PROXY pointing here: n8n's request helper
 * (@n8n/backend-network, via proxy-from-env) then opens `CONNECT api.perplexity.ai:443` to this
 * proxy, which terminates TLS with a certificate made at bench time (trusted by n8n through
 * NODE_EXTRA_CA_CERTS) and relays the decrypted bytes to the sandbox. Any other host is refused, so
 * nothing leaves the machine.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');

const HOST = 'api.perplexity.ai';

/**
 * A throwaway CA and a leaf certificate for api.perplexity.ai signed by it, in a new temp folder.
 * P-256 keys: cheap handshakes, as with the real service's ECDHE suites, so the TLS cost n8n pays
 * per request is realistic rather than inflated by RSA-4096 or similar.
 */
function makeCertificates() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perplexity-bench-tls-'));
	const file = (name) => path.join(dir, name);
	const openssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });
	openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ca.key'));
	openssl(
		'req',
		'-x509',
		'-new',
		'-key',
		file('ca.key'),
		'-subj',
		'/CN=n8n-nodes-perplexity-chat bench CA',
		'-days',
		'2',
		'-addext',
		'basicConstraints=critical,CA:TRUE',
		'-addext',
		'keyUsage=critical,keyCertSign,cRLSign',
		'-out',
		file('ca.pem'),
	);
	openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('leaf.key'));
	openssl(
		'req',
		'-new',
		'-key',
		file('leaf.key'),
		'-subj',
		`/CN=${HOST}`,
		'-out',
		file('leaf.csr'),
	);
	fs.writeFileSync(
		file('leaf.ext'),
		[
			`subjectAltName=DNS:${HOST}`,
			'basicConstraints=CA:FALSE',
			'keyUsage=critical,digitalSignature',
			'extendedKeyUsage=serverAuth',
		].join('\n'),
	);
	openssl(
		'x509',
		'-req',
		'-in',
		file('leaf.csr'),
		'-CA',
		file('ca.pem'),
		'-CAkey',
		file('ca.key'),
		'-CAcreateserial',
		'-days',
		'2',
		'-extfile',
		file('leaf.ext'),
		'-out',
		file('leaf.pem'),
	);
	return {
		dir,
		caFile: file('ca.pem'),
		key: fs.readFileSync(file('leaf.key')),
		cert: fs.readFileSync(file('leaf.pem')),
	};
}

/**
 * Starts the proxy on 127.0.0.1 (a free port). `target` is the sandbox's port. Resolves to
 * { port, caFile, connects(), refused(), stop() }; stop() also removes the certificates.
 */
async function startTlsProxy({ target }) {
	const certs = makeCertificates();
	const context = tls.createSecureContext({ key: certs.key, cert: certs.cert });
	const sockets = new Set();
	let connects = 0;
	const refused = [];
	const track = (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		// A client that gives up mid-handshake must not take the bench down.
		socket.on('error', () => socket.destroy());
	};

	// Plain HTTP requests (not CONNECT) never come: NO_PROXY covers n8n's own local traffic.
	const server = http.createServer((req, res) => {
		refused.push(`${req.method} ${req.url}`);
		res.writeHead(403).end();
	});
	server.on('connect', (req, client, head) => {
		track(client);
		if (req.url !== `${HOST}:443`) {
			refused.push(`CONNECT ${req.url}`);
			client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		connects++;
		client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head && head.length) client.unshift(head);
		const secure = new tls.TLSSocket(client, { isServer: true, secureContext: context });
		track(secure);
		// A raw relay, not an HTTP re-encoding: the sandbox sees exactly the bytes n8n sent.
		const upstream = net.connect(target, '127.0.0.1');
		track(upstream);
		secure.pipe(upstream).pipe(secure);
		secure.on('close', () => upstream.destroy());
		upstream.on('close', () => secure.destroy());
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		port: server.address().port,
		caFile: certs.caFile,
		connects: () => connects,
		refused: () => [...refused],
		stop: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
			fs.rmSync(certs.dir, { recursive: true, force: true });
		},
	};
}

module.exports = { startTlsProxy, PROXIED_HOST: HOST };
