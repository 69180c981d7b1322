'use strict';
/**
 * PostgreSQL and Redis chores for queue mode (is it there, create and drop a database, delete a
 * run's keys), run as a child process with the clients of the n8n install (pg, ioredis): this
 * project has no database clients of its own, and Jest keeps the installs under .cache/ out of
 * its module map.
 *
 * Usage: node queue-admin.js <n8n install dir> <command> '<json args>'; prints the result as JSON,
 * or the error on stderr with exit code 1.
 */
const { createRequire } = require('node:module');
const path = require('node:path');

const [installDir, command, json] = process.argv.slice(2);
const args = JSON.parse(json || '{}');
const n8nRequire = createRequire(path.join(installDir, 'node_modules', 'n8n', 'package.json'));

/** Database names come from services.js; checked anyway, since SQL cannot bind identifiers. */
function identifier(name) {
	if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
	return name;
}

async function withPostgres({ host, port, user, password }, fn) {
	const { Client } = n8nRequire('pg');
	const client = new Client({
		host,
		port,
		user,
		password,
		database: 'postgres',
		connectionTimeoutMillis: 5000,
	});
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

async function withRedis({ host, port }, fn) {
	const Redis = n8nRequire('ioredis');
	const redis = new Redis({
		host,
		port,
		lazyConnect: true,
		connectTimeout: 5000,
		maxRetriesPerRequest: 0,
		retryStrategy: () => null,
	});
	await redis.connect();
	try {
		return await fn(redis);
	} finally {
		redis.disconnect();
	}
}

/** Every key whose name contains `text` (a run's prefix), found with SCAN so Redis never blocks. */
async function keysContaining(redis, text) {
	const keys = [];
	let cursor = '0';
	do {
		const [next, batch] = await redis.scan(cursor, 'MATCH', `*${text}*`, 'COUNT', 1000);
		keys.push(...batch);
		cursor = next;
	} while (cursor !== '0');
	return keys;
}

const commands = {
	'postgres-version': ({ server }) =>
		withPostgres(
			server,
			async (c) => (await c.query('SHOW server_version')).rows[0].server_version,
		),
	'postgres-databases': ({ server, prefix }) =>
		withPostgres(server, async (c) =>
			(
				await c.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix])
			).rows.map((row) => row.datname),
		),
	'postgres-create': ({ server, database }) =>
		withPostgres(server, (c) =>
			c.query(`CREATE DATABASE ${identifier(database)}`).then(() => true),
		),
	'postgres-drop': ({ server, database }) =>
		withPostgres(server, (c) =>
			c.query(`DROP DATABASE IF EXISTS ${identifier(database)}`).then(() => true),
		),
	'redis-version': ({ server }) =>
		withRedis(server, async (redis) => /redis_version:(\S+)/.exec(await redis.info('server'))[1]),
	'redis-keys': ({ server, text }) => withRedis(server, (redis) => keysContaining(redis, text)),
	'redis-delete': ({ server, text }) =>
		withRedis(server, async (redis) => {
			const keys = await keysContaining(redis, text);
			for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
			return keys.length;
		}),
};

if (!commands[command]) {
	process.stderr.write(`unknown command ${command}; one of ${Object.keys(commands).join(', ')}\n`);
	process.exit(2);
}
commands[command](args).then(
	(result) => process.stdout.write(JSON.stringify(result ?? null)),
	(error) => {
		process.stderr.write(`${error.message}\n`);
		process.exit(1);
	},
);
