'use strict';
/**
 * Child processes for the real-n8n tooling. Each runs under guard.js as the leader of its own
 * process group, so that stopping it also stops what it spawned (n8n starts a task runner), and so
 * that the group dies with us however we end: an exit hook would not do, since Jest gives test code
 * its own `process` object whose hooks never fire, and nothing runs after a SIGKILL.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const GUARD = path.join(__dirname, 'guard.js');
const secrets = new Set();

/** Spawns `command` under the guard; our end of its stdin pipe is the guard's lifeline. */
function spawnGuarded(command, args, { cwd, env }) {
	const child = spawn(process.execPath, [GUARD, command, ...args], {
		cwd,
		env,
		detached: true,
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	// Nothing is ever written; a guard that has gone away must not raise EPIPE here.
	child.stdin.on('error', () => {});
	child.on('exit', () => child.stdin.destroy());
	return child;
}

/** Values that must never reach a log, an error message or the terminal (API keys). */
function addSecret(value) {
	if (typeof value === 'string' && value.length >= 4) secrets.add(value);
}

function redact(text) {
	let out = String(text);
	for (const secret of secrets) out = out.split(secret).join('***');
	return out;
}

function killGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

function groupAlive(pid) {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Keeps the last `max` characters of a stream, enough to explain a failure without the flood. */
function tailBuffer(max = 64 * 1024) {
	let text = '';
	return {
		push(chunk) {
			text += chunk;
			if (text.length > max) text = text.slice(text.length - max);
		},
		get text() {
			return text;
		},
	};
}

function lastLines(text, n) {
	return text.split('\n').slice(-n).join('\n');
}

/**
 * Runs a command to completion. Resolves with { code, stdout, stderr }; rejects on a non-zero exit
 * unless `allowFailure`, with the (redacted) end of its output in the message.
 */
function run(command, args, options = {}) {
	const { cwd, env = process.env, timeoutMs = 0, allowFailure = false } = options;
	return new Promise((resolve, reject) => {
		const child = spawnGuarded(command, args, { cwd, env });
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
		child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
		let timedOut = false;
		const timer =
			timeoutMs > 0
				? setTimeout(() => {
						timedOut = true;
						killGroup(child.pid, 'SIGKILL');
					}, timeoutMs)
				: undefined;
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(new Error(`cannot run ${command}: ${error.message}`));
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			// The command is done; anything it left behind in its group goes with it.
			killGroup(child.pid, 'SIGKILL');
			const result = { code: code ?? 1, stdout, stderr };
			if ((code === 0 && !timedOut) || allowFailure) return resolve(result);
			const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
			const output = lastLines(`${stdout}\n${stderr}`.trim(), 40);
			reject(new Error(redact(`${[command, ...args].join(' ')} ${why}\n${output}`)));
		});
	});
}

/**
 * Starts a long-running process in its own group. Output goes to `logFile` (redacted) and to a tail
 * buffer; `onOutput` sees every chunk. `stop()` sends SIGTERM to the group, then SIGKILL after
 * `graceMs`, and resolves once the group is gone.
 */
function startProcess(command, args, options = {}) {
	const { cwd, env = process.env, logFile, onOutput } = options;
	const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;
	const child = spawnGuarded(command, args, { cwd, env });
	const pid = child.pid;
	const tail = tailBuffer();
	const onData = (chunk) => {
		tail.push(chunk);
		if (log) log.write(redact(chunk));
		if (onOutput) onOutput(chunk);
	};
	child.stdout.setEncoding('utf8').on('data', onData);
	child.stderr.setEncoding('utf8').on('data', onData);
	const exited = new Promise((resolve) => {
		child.on('error', (error) => resolve({ code: null, signal: null, error }));
		child.on('exit', (code, signal) => resolve({ code, signal }));
	});
	let stopping;
	async function waitGroupGone(ms) {
		const until = Date.now() + ms;
		while (groupAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
		return !groupAlive(pid);
	}
	function stop({ graceMs = 10000 } = {}) {
		stopping ??= (async () => {
			killGroup(pid, 'SIGTERM');
			if (!(await waitGroupGone(graceMs))) {
				killGroup(pid, 'SIGKILL');
				await waitGroupGone(5000);
			}
			await exited;
			if (log) await new Promise((r) => log.end(r));
		})();
		return stopping;
	}
	return {
		pid,
		exited,
		stop,
		output: () => redact(tail.text),
	};
}

module.exports = { run, startProcess, addSecret, redact, lastLines };
