'use strict';
/**
 * Installs what real n8n needs into the project's cache folder (git-ignored), idempotently:
 * Node 24 (a binary published on the npm registry, since n8n 2.36+ refuses older Node) and n8n
 * itself; then packs this package and installs the tarball the way users install community nodes.
 * A marker file with the version makes a finished install reusable; anything without a marker is
 * treated as unfinished and redone. A lock keeps two runs (dev and tests, or two engineers) from
 * installing into the same folder at once.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run } = require('./processes');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.resolve(process.env.N8N_CACHE_DIR || path.join(REPO_ROOT, '.cache'));

// 2.41.3 (the newest) depends on @n8n/agents@0.26.2, which was never published, so npm cannot
// resolve it; 2.41.1 is the newest release that installs from the registry.
const DEFAULT_N8N_VERSION = '2.41.1';
const NODE_VERSION = process.env.N8N_NODE_VERSION || '24.22.3';

const n8nVersion = () => process.env.N8N_VERSION || DEFAULT_N8N_VERSION;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/** mkdir is atomic: whoever creates the lock folder installs, the others wait for it. */
async function withLock(name, fn, { log = () => {}, waitMs = 30 * 60 * 1000 } = {}) {
	fs.mkdirSync(CACHE_DIR, { recursive: true });
	const lock = path.join(CACHE_DIR, `${name}.lock`);
	const owner = path.join(lock, 'pid');
	const until = Date.now() + waitMs;
	let told = false;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(owner, String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			let holder = 0;
			try {
				holder = Number(fs.readFileSync(owner, 'utf8'));
			} catch {
				// Created this instant and not written yet, or released: look again.
			}
			if (holder && !pidAlive(holder)) {
				// Left behind by a run that died mid-install: its half-done install has no marker.
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > until) throw new Error(`${lock} is held by pid ${holder}; gave up waiting`);
			if (!told) log(`waiting for another install (${lock}, pid ${holder || '?'})`);
			told = true;
			await sleep(1000);
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

/** PATH with the given Node first: npm, n8n and the task runner n8n spawns all pick it up. */
function pathWith(binDir, env = process.env) {
	return [binDir, env.PATH || ''].join(path.delimiter);
}

/**
 * Node 24 for n8n: the running Node if it is 24, else `node-<platform>-<arch>@NODE_VERSION` from
 * the npm registry under .cache/node24. Returns { node, binDir, home, version }; `home` holds the
 * headers node-gyp needs to build native modules for this Node without downloading them.
 */
async function ensureNode24({ log = console.log } = {}) {
	if (process.versions.node.split('.')[0] === '24') {
		const binDir = path.dirname(process.execPath);
		return { node: process.execPath, binDir, home: path.dirname(binDir), version: process.version };
	}
	const dir = path.join(CACHE_DIR, 'node24');
	const pkg = `node-${process.platform}-${process.arch}`;
	const home = path.join(dir, 'node_modules', pkg);
	const binDir = path.join(home, 'bin');
	const node = path.join(binDir, 'node');
	const marker = path.join(dir, '.installed.json');
	const done = () => readJson(marker)?.version === NODE_VERSION && fs.existsSync(node);
	if (!done()) {
		await withLock(
			'node24',
			async () => {
				if (done()) return;
				const started = Date.now();
				log(`installing Node ${NODE_VERSION} (${pkg} from the npm registry) into ${dir}`);
				fs.rmSync(marker, { force: true });
				fs.mkdirSync(dir, { recursive: true });
				fs.writeFileSync(
					path.join(dir, 'package.json'),
					JSON.stringify({ name: 'node24-host', private: true }, null, 2),
				);
				await run(
					'npm',
					['install', `${pkg}@${NODE_VERSION}`, '--save-exact', '--no-audit', '--no-fund'],
					{ cwd: dir, timeoutMs: 10 * 60 * 1000 },
				);
				const { stdout } = await run(node, ['--version']);
				if (stdout.trim() !== `v${NODE_VERSION}`) {
					throw new Error(`${node} reports ${stdout.trim()}, expected v${NODE_VERSION}`);
				}
				fs.writeFileSync(marker, JSON.stringify({ version: NODE_VERSION, at: new Date() }));
				log(`Node ${NODE_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
			},
			{ log },
		);
	}
	return { node, binDir, home, version: `v${NODE_VERSION}` };
}

/**
 * n8n `version` (default N8N_VERSION or 2.41.1) under .cache/n8n, installed with Node 24.
 * `--ignore-scripts`, then an explicit rebuild of the two native modules n8n needs (sqlite3 builds
 * from source against Node 24's own headers; isolated-vm ships prebuilds): the other install
 * scripts only try to download prebuilt binaries from hosts CI cannot reach. The xlsx override
 * keeps n8n-nodes-base from fetching xlsx from SheetJS's CDN; 0.18.5 is on the npm registry.
 * Returns { dir, bin, version, node }.
 */
async function ensureN8n({ version = n8nVersion(), log = console.log } = {}) {
	const node = await ensureNode24({ log });
	const dir = path.join(CACHE_DIR, 'n8n');
	const bin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const marker = path.join(dir, '.installed.json');
	const done = () => {
		const m = readJson(marker);
		return m?.version === version && m?.node === node.version && fs.existsSync(bin);
	};
	if (!done()) {
		await withLock(
			'n8n',
			async () => {
				if (done()) return;
				const started = Date.now();
				log(`installing n8n ${version} into ${dir} (first run only; takes a few minutes)`);
				fs.rmSync(marker, { force: true });
				fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
				fs.rmSync(path.join(dir, 'package-lock.json'), { force: true });
				fs.mkdirSync(dir, { recursive: true });
				fs.writeFileSync(
					path.join(dir, 'package.json'),
					JSON.stringify(
						{ name: 'n8n-host', private: true, overrides: { xlsx: '0.18.5' } },
						null,
						2,
					),
				);
				const env = {
					...process.env,
					PATH: pathWith(node.binDir),
					npm_config_nodedir: node.home,
					npm_config_update_notifier: 'false',
				};
				await run(
					'npm',
					[
						'install',
						`n8n@${version}`,
						'--save-exact',
						'--ignore-scripts',
						'--no-audit',
						'--no-fund',
					],
					{ cwd: dir, env, timeoutMs: 30 * 60 * 1000 },
				);
				log(
					`n8n ${version} downloaded in ${((Date.now() - started) / 1000).toFixed(0)} s; building native modules`,
				);
				await run('npm', ['rebuild', 'sqlite3', 'isolated-vm'], {
					cwd: dir,
					env,
					timeoutMs: 30 * 60 * 1000,
				});
				const { stdout } = await run(node.node, [bin, '--version'], { cwd: dir, env });
				if (!stdout.includes(version)) {
					throw new Error(`installed n8n reports "${stdout.trim()}", expected ${version}`);
				}
				fs.writeFileSync(
					marker,
					JSON.stringify({ version, node: node.version, at: new Date() }, null, 2),
				);
				log(`n8n ${version} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
			},
			{ log },
		);
	}
	return { dir, bin, version, node };
}

/**
 * `npm pack` of this repository into a fresh temp folder; npm runs `prepack` (the build) unless
 * `build` is false, or 'if-missing' and dist/ exists (the npm test scripts build just before).
 * Returns the tarball's absolute path.
 */
async function packPackage({ build = true, log = console.log } = {}) {
	if (build === 'if-missing') build = !fs.existsSync(path.join(REPO_ROOT, 'dist', 'nodes'));
	const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'perplexity-chat-pack-'));
	const args = ['pack', '--pack-destination', dest, '--no-audit', '--no-fund'];
	if (!build) args.push('--ignore-scripts');
	log(build ? 'building and packing the package' : 'packing the package');
	await run('npm', args, { cwd: REPO_ROOT, timeoutMs: 10 * 60 * 1000 });
	const tarballs = fs.readdirSync(dest).filter((f) => f.endsWith('.tgz'));
	if (tarballs.length !== 1)
		throw new Error(`npm pack left ${tarballs.length} tarballs in ${dest}`);
	return path.join(dest, tarballs[0]);
}

/**
 * Installs a packed tarball as n8n's community-node installer does: `npm install <tgz>
 * --omit=peer` in <userFolder>/.n8n/nodes, where n8n scans node_modules for packages at start.
 * Returns the installed package's folder.
 */
async function installPackage({ userFolder, tarball, node }) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) {
		fs.writeFileSync(
			manifest,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	}
	const env = node ? { ...process.env, PATH: pathWith(node.binDir) } : process.env;
	await run('npm', ['install', tarball, '--omit=peer', '--no-audit', '--no-fund'], {
		cwd: nodesDir,
		env,
		timeoutMs: 5 * 60 * 1000,
	});
	const { name } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
	const installed = path.join(nodesDir, 'node_modules', name);
	if (!fs.existsSync(path.join(installed, 'package.json'))) {
		throw new Error(`npm install ${tarball} did not produce ${installed}`);
	}
	return installed;
}

module.exports = {
	REPO_ROOT,
	CACHE_DIR,
	DEFAULT_N8N_VERSION,
	n8nVersion,
	pathWith,
	ensureNode24,
	ensureN8n,
	packPackage,
	installPackage,
};
