'use strict';
/**
 * Installs what real n8n needs into the project's cache folder (git-ignored), idempotently:
 * the Node a given n8n needs (a binary published on the npm registry: n8n 2.36+ refuses Node
 * below 24, 2.10+ below 22) and that n8n itself, one folder per version; then packs this package and installs the tarball the way users install community nodes.
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

/**
 * The Node lines n8n versions need (see nodeMajorForTree), each pinned to the newest release of
 * its line on the npm registry when this was written, so that runs are repeatable.
 */
const NODE_LINES = { 20: '20.20.2', 22: '22.23.5', 24: '24.22.3' };

const n8nVersion = () => process.env.N8N_VERSION || DEFAULT_N8N_VERSION;

/** -1, 0 or 1 as version a is older than, equal to or newer than b (numeric x.y.z). */
function compareVersions(a, b) {
	const pa = a.split('.').map(Number);
	const pb = b.split('.').map(Number);
	for (let i = 0; i < 3; i++) {
		if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) < (pb[i] || 0) ? -1 : 1;
	}
	return 0;
}

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

/**
 * The environment for npm installing n8n or the package: this process's, less the `npm_config_*`
 * settings that `npm run` hands to its scripts. Run from `npm test`, those carry this project's
 * .npmrc (`legacy-peer-deps=true`), and n8n installed with it gets a different tree that does not
 * start (n8n 1.94.1: zod without `zod/v3`).
 */
function npmEnv(extra = {}) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_config_/i.test(key)) env[key] = value;
	}
	return { ...env, npm_config_update_notifier: 'false', ...extra };
}

/** PATH with the given Node first: npm, n8n and the task runner n8n spawns all pick it up. */
function pathWith(binDir, env = process.env) {
	return [binDir, env.PATH || ''].join(path.delimiter);
}

/**
 * Node of the given major line for n8n: the running Node if it is of that line, else
 * `node-<platform>-<arch>@<pinned>` from the npm registry under .cache/node<major>
 * (N8N_NODE_VERSION of the same line overrides the pinned release). Returns { node, binDir, home, version }; `home`
 * holds the headers node-gyp needs to build native modules for this Node without downloading them.
 */
async function ensureNode(major, { log = console.log } = {}) {
	if (Number(process.versions.node.split('.')[0]) === major) {
		const binDir = path.dirname(process.execPath);
		return { node: process.execPath, binDir, home: path.dirname(binDir), version: process.version };
	}
	const override = process.env.N8N_NODE_VERSION;
	const wanted = override && lowestMajor(override) === major ? override : NODE_LINES[major];
	if (!wanted) throw new Error(`no Node ${major} release is known`);
	const dir = path.join(CACHE_DIR, `node${major}`);
	const pkg = `node-${process.platform}-${process.arch}`;
	const home = path.join(dir, 'node_modules', pkg);
	const binDir = path.join(home, 'bin');
	const node = path.join(binDir, 'node');
	const marker = path.join(dir, '.installed.json');
	const done = () => readJson(marker)?.version === wanted && fs.existsSync(node);
	if (!done()) {
		await withLock(
			`node${major}`,
			async () => {
				if (done()) return;
				const started = Date.now();
				log(`installing Node ${wanted} (${pkg} from the npm registry) into ${dir}`);
				fs.rmSync(marker, { force: true });
				fs.mkdirSync(dir, { recursive: true });
				fs.writeFileSync(
					path.join(dir, 'package.json'),
					JSON.stringify({ name: `node${major}-host`, private: true }, null, 2),
				);
				await run(
					'npm',
					['install', `${pkg}@${wanted}`, '--save-exact', '--no-audit', '--no-fund'],
					{
						cwd: dir,
						timeoutMs: 10 * 60 * 1000,
					},
				);
				const { stdout } = await run(node, ['--version']);
				if (stdout.trim() !== `v${wanted}`) {
					throw new Error(`${node} reports ${stdout.trim()}, expected v${wanted}`);
				}
				fs.writeFileSync(marker, JSON.stringify({ version: wanted, at: new Date() }));
				log(`Node ${wanted} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
			},
			{ log },
		);
	}
	return { node, binDir, home, version: `v${wanted}` };
}

/** The lowest Node major an `engines.node` range allows (">=20.19 <= 24.x" → 20). */
function lowestMajor(range) {
	const match = /(\d+)/.exec(range || '');
	return match ? Number(match[1]) : 0;
}

/**
 * The Node an installed n8n tree needs: the oldest line of NODE_LINES that n8n's own `engines`
 * and those of its native isolated-vm allow. isolated-vm is why: n8n 1.123 says Node 20 is fine,
 * but the isolated-vm it pulls in only builds on Node 22 and later.
 */
function nodeMajorForTree(dir) {
	const floors = ['n8n', 'isolated-vm'].map((name) =>
		lowestMajor(readJson(path.join(dir, 'node_modules', name, 'package.json'))?.engines?.node),
	);
	const floor = Math.max(...floors);
	const lines = Object.keys(NODE_LINES).map(Number);
	return lines.find((major) => major >= floor) ?? Math.max(...lines);
}

/**
 * n8n `version` (default N8N_VERSION or 2.41.1) under .cache/n8n-<version>, one folder per version
 * so that a matrix run reinstalls nothing, run with the Node that version needs.
 * `--ignore-scripts`, then an explicit rebuild of the native modules n8n needs (sqlite3 builds
 * from source against that Node's own headers; isolated-vm, where n8n has it, ships prebuilds):
 * the other install scripts only try to download prebuilt binaries from hosts CI cannot reach.
 * The xlsx override keeps n8n-nodes-base from fetching xlsx from SheetJS's CDN; 0.18.5 is on the
 * npm registry. Returns { dir, bin, version, node }.
 */
async function ensureN8n({ version = n8nVersion(), log = console.log } = {}) {
	const dir = path.join(CACHE_DIR, `n8n-${version}`);
	const bin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const marker = path.join(dir, '.installed.json');
	const installed = () => {
		const m = readJson(marker);
		return m?.version === version && m?.nodeMajor && fs.existsSync(bin) ? m : undefined;
	};
	if (!installed()) {
		await withLock(
			`n8n-${version}`,
			async () => {
				if (installed()) return;
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
					{
						cwd: dir,
						env: npmEnv(),
						timeoutMs: 30 * 60 * 1000,
					},
				);
				const nodeMajor = nodeMajorForTree(dir);
				const node = await ensureNode(nodeMajor, { log });
				log(
					`n8n ${version} downloaded in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
						`building native modules for Node ${node.version}`,
				);
				const env = npmEnv({ PATH: pathWith(node.binDir), npm_config_nodedir: node.home });
				const natives = ['sqlite3', 'isolated-vm'].filter((name) =>
					fs.existsSync(path.join(dir, 'node_modules', name)),
				);
				await run('npm', ['rebuild', ...natives], { cwd: dir, env, timeoutMs: 30 * 60 * 1000 });
				const { stdout } = await run(node.node, [bin, '--version'], { cwd: dir, env });
				if (!stdout.includes(version)) {
					throw new Error(`installed n8n reports "${stdout.trim()}", expected ${version}`);
				}
				fs.writeFileSync(
					marker,
					JSON.stringify({ version, nodeMajor, node: node.version, at: new Date() }, null, 2),
				);
				log(`n8n ${version} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
			},
			{ log },
		);
	}
	const node = await ensureNode(installed().nodeMajor, { log });
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
	const env = node ? npmEnv({ PATH: pathWith(node.binDir) }) : npmEnv();
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
	compareVersions,
	pathWith,
	ensureNode,
	ensureN8n,
	packPackage,
	installPackage,
};
