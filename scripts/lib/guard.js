'use strict';
/**
 * Runs `argv[2..]` and lives only as long as the process that started it: when that parent ends
 * (normally, killed, or by a Ctrl-C that our detached group never sees) the stdin pipe it held
 * closes, and the guard kills its whole process group: the command and whatever it spawned
 * (n8n's task runner). Started by processes.js as the leader of a new process group.
 */
const { spawn } = require('node:child_process');

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });

process.stdin.on('close', () => process.kill(0, 'SIGKILL'));
process.stdin.on('end', () => process.kill(0, 'SIGKILL'));
process.stdin.resume();

// A stop() signals the whole group: the command gets it too; the guard waits for it to finish.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => {});

child.on('error', (error) => {
	process.stderr.write(`cannot run ${command}: ${error.message}\n`);
	process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
