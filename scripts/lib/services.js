'use strict';
/**
 * PostgreSQL and Redis for n8n's queue mode, isolated per run: a database of its own (created,
 * dropped after) and a Redis key prefix of its own for Bull's queue and for n8n's pub/sub, cache
 * and locks (its keys deleted after), so that nothing else on the same servers meets this run.
 *
 * The servers are the machine's when they answer on their standard ports (127.0.0.1:5432 as user
 * `postgres`, or PGUSER/PGPASSWORD; 127.0.0.1:6379). Otherwise, or with QUEUE_SERVICES=own, the
 * run starts its own from Debian's packages (installed with apt-get when missing) on free ports,
 * with their data in a temp folder of its own, and stops them and removes the folder after.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { aptInstall } = require('./apt');
const { freePort } = require('./n8n');
const { run, startProcess, lastLines } = require('./processes');

const ADMIN = path.join(__dirname, 'queue-admin.js');
const STANDARD = {
	postgres: { host: '127.0.0.1', port: 5432 },
	redis: { host: '127.0.0.1', port: 6379 },
};
// A run's names carry its pid, so that a later run can tell leftovers of a killed run.
const DATABASE_PREFIX = 'n8n_queue_';
const KEY_PREFIX = 'n8n-queue-';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/** Runs a queue-admin.js command with the n8n install's clients; resolves to its JSON result. */
async function admin(install, command, args) {
	const { stdout } = await run(
		process.execPath,
		[ADMIN, install.dir, command, JSON.stringify(args)],
		{
			timeoutMs: 60_000,
		},
	);
	return JSON.parse(stdout);
}

const answers = (install, command, server) =>
	admin(install, command, { server }).then(
		(version) => version,
		() => undefined,
	);

/** The bin folder of Debian's newest installed PostgreSQL, if any. */
function debianPostgresBin() {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

/** Waits until `check` resolves truthy; fails early if the server process has exited. */
async function waitFor(check, started, what, logFile) {
	let exited;
	started.exited.then((e) => (exited = e));
	const until = Date.now() + 60_000;
	for (;;) {
		if (await check()) return;
		if (exited || Date.now() > until) {
			const why = exited ? `exited (${exited.code ?? exited.signal})` : 'did not answer in 60 s';
			await started.stop();
			throw new Error(
				`${what} ${why}; log ${logFile}:\n${lastLines(fs.readFileSync(logFile, 'utf8'), 20)}`,
			);
		}
		await sleep(250);
	}
}

/**
 * Debian's PostgreSQL in `folder`: initdb (trust, user postgres), then the server on a free port,
 * listening on 127.0.0.1 only, its socket in the data folder. PostgreSQL refuses to run as root,
 * so as root it runs as the `postgres` user the package created.
 */
async function ownPostgres({ install, folder, log }) {
	let bin = debianPostgresBin();
	if (!bin) {
		await aptInstall(['postgresql'], { log });
		bin = debianPostgresBin();
		if (!bin)
			throw new Error('apt-get installed postgresql, but /usr/lib/postgresql has no server');
	}
	const data = path.join(folder, 'postgres');
	fs.mkdirSync(data, { mode: 0o700 });
	const asPostgres = [];
	if (process.getuid?.() === 0) {
		const id = async (flag) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
		fs.chownSync(data, await id('-u'), await id('-g'));
		asPostgres.push('setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups');
	}
	const command = (program, args) =>
		asPostgres.length
			? [asPostgres[0], [...asPostgres.slice(1), path.join(bin, program), ...args]]
			: [path.join(bin, program), args];
	await run(
		...command('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']),
		{ timeoutMs: 120_000 },
	);
	const server = { ...STANDARD.postgres, port: await freePort(), user: 'postgres' };
	const logFile = path.join(folder, 'postgres.log');
	// Throw-away data: no fsync.
	const started = startProcess(
		...command('postgres', [
			'-D',
			data,
			'-p',
			String(server.port),
			'-h',
			server.host,
			'-k',
			data,
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
		]),
		{ logFile },
	);
	await waitFor(() => answers(install, 'postgres-version', server), started, 'PostgreSQL', logFile);
	log(`started PostgreSQL from ${bin} on port ${server.port}`);
	return { server, process: started };
}

/** Debian's redis-server in `folder` on a free port, without persistence. */
async function ownRedis({ install, folder, log }) {
	const bin = '/usr/bin/redis-server';
	if (!fs.existsSync(bin)) await aptInstall(['redis-server'], { log });
	const dir = path.join(folder, 'redis');
	fs.mkdirSync(dir);
	const server = { ...STANDARD.redis, port: await freePort() };
	const logFile = path.join(folder, 'redis.log');
	const started = startProcess(
		bin,
		[
			'--port',
			String(server.port),
			'--bind',
			server.host,
			'--dir',
			dir,
			'--save',
			'',
			'--appendonly',
			'no',
		],
		{ logFile },
	);
	await waitFor(() => answers(install, 'redis-version', server), started, 'Redis', logFile);
	log(`started Redis on port ${server.port}`);
	return { server, process: started };
}

/** Drops the databases and deletes the keys that runs which are no longer alive left behind. */
async function sweepLeftovers(install, postgres, redis, log) {
	const dead = (name, prefix) => !pidAlive(Number(name.slice(prefix.length).split(/[_-]/)[0]));
	const databases = await admin(install, 'postgres-databases', {
		server: postgres,
		prefix: DATABASE_PREFIX,
	});
	for (const database of databases.filter((name) => dead(name, DATABASE_PREFIX))) {
		log(`dropping ${database}, left behind by a run that ended without cleaning up`);
		await admin(install, 'postgres-drop', { server: postgres, database });
	}
	const keys = await admin(install, 'redis-keys', { server: redis, text: KEY_PREFIX });
	const prefixes = new Set(
		keys.map((key) => new RegExp(`${KEY_PREFIX}\\d+-[0-9a-f]+`).exec(key)?.[0]).filter(Boolean),
	);
	for (const prefix of [...prefixes].filter((p) => dead(p, KEY_PREFIX))) {
		log(
			`deleting the Redis keys of ${prefix}, left behind by a run that ended without cleaning up`,
		);
		await admin(install, 'redis-delete', { server: redis, text: prefix });
	}
}

/**
 * @param {object} o
 * @param {{ dir: string }} o.install from ensureN8n (its pg and ioredis do the chores)
 * @param {boolean} [o.own] start our own servers even if the machine's answer (QUEUE_SERVICES=own)
 * @param {(message: string) => void} [o.log]
 */
async function startQueueServices({
	install,
	own = process.env.QUEUE_SERVICES === 'own',
	log = console.log,
}) {
	const tag = `${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
	const database = `${DATABASE_PREFIX}${tag}`;
	const prefix = `${KEY_PREFIX}${tag.replace('_', '-')}`;
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-services-'));
	// The postgres user must reach its data folder inside.
	fs.chmodSync(folder, 0o755);
	const owned = [];
	const services = {
		folder,
		database,
		prefix,
		postgres: undefined,
		redis: undefined,
		/** 'machine' or 'own', per server. */
		origin: {},
		env: undefined,
		async stop() {
			const errors = [];
			const attempt = (fn) => fn().catch((error) => errors.push(error));
			if (services.origin.postgres === 'machine') {
				await attempt(() =>
					admin(install, 'postgres-drop', { server: services.postgres, database }),
				);
			}
			if (services.origin.redis === 'machine') {
				await attempt(() =>
					admin(install, 'redis-delete', { server: services.redis, text: prefix }),
				);
			}
			await Promise.all(owned.map((started) => attempt(() => started.stop())));
			fs.rmSync(folder, { recursive: true, force: true });
			if (errors.length) throw errors[0];
		},
	};
	try {
		const user = process.env.PGUSER || 'postgres';
		const machinePostgres = { ...STANDARD.postgres, user, password: process.env.PGPASSWORD };
		if (!own && (await answers(install, 'postgres-version', machinePostgres))) {
			services.postgres = machinePostgres;
			services.origin.postgres = 'machine';
		} else {
			const started = await ownPostgres({ install, folder, log });
			owned.push(started.process);
			services.postgres = started.server;
			services.origin.postgres = 'own';
		}
		if (!own && (await answers(install, 'redis-version', STANDARD.redis))) {
			services.redis = STANDARD.redis;
			services.origin.redis = 'machine';
		} else {
			const started = await ownRedis({ install, folder, log });
			owned.push(started.process);
			services.redis = started.server;
			services.origin.redis = 'own';
		}
		await sweepLeftovers(install, services.postgres, services.redis, log);
		await admin(install, 'postgres-create', { server: services.postgres, database });
		log(
			`queue services: PostgreSQL ${services.origin.postgres} (${services.postgres.host}:${services.postgres.port}, database ${database}), ` +
				`Redis ${services.origin.redis} (${services.redis.host}:${services.redis.port}, prefix ${prefix})`,
		);
		const { host, port, password } = services.postgres;
		services.env = {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: host,
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: services.postgres.user,
			...(password ? { DB_POSTGRESDB_PASSWORD: password } : {}),
			QUEUE_BULL_REDIS_HOST: services.redis.host,
			QUEUE_BULL_REDIS_PORT: String(services.redis.port),
			// Bull's queue keys, and n8n's own pub/sub channels, cache and locks.
			QUEUE_BULL_PREFIX: prefix,
			N8N_REDIS_KEY_PREFIX: prefix,
		};
		return services;
	} catch (error) {
		await services.stop().catch(() => {});
		throw error;
	}
}

module.exports = { startQueueServices };
