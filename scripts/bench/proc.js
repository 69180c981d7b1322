'use strict';
/**
 * What the kernel knows about a process: CPU time and peak memory from /proc, and the process
 * tree. Read from outside, so measuring costs the measured process nothing.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');

let clockTicks;

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat (nearly always 100). */
function ticksPerSecond() {
	if (clockTicks === undefined) {
		try {
			clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
		} catch {
			clockTicks = 100;
		}
		if (!Number.isFinite(clockTicks) || clockTicks <= 0) clockTicks = 100;
	}
	return clockTicks;
}

/**
 * The fields of /proc/<pid>/stat after the command name. The name is in parentheses and may itself
 * contain spaces and parentheses, so the split happens after the last ")".
 */
function statFields(pid) {
	const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	return text
		.slice(text.lastIndexOf(')') + 2)
		.trim()
		.split(' ');
}

/**
 * CPU time (user + system, every thread: V8's GC helpers and libuv's pool count too) in
 * milliseconds. Resolution is one clock tick (10 ms), so callers measure windows of seconds.
 */
function cpuMs(pid) {
	const fields = statFields(pid);
	// Fields 14 and 15 of stat(5); index 0 here is field 3 (state).
	const ticks = Number(fields[11]) + Number(fields[12]);
	return (ticks * 1000) / ticksPerSecond();
}

/** VmHWM (peak resident set) and VmRSS of a process, in bytes. */
function memory(pid) {
	const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (name) => {
		const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
		return match ? Number(match[1]) * 1024 : undefined;
	};
	return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

/** Direct children of `pid`, with their command lines. */
function children(pid) {
	const found = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (Number(statFields(entry)[1]) !== pid) continue;
			const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
			found.push({ pid: Number(entry), cmdline: cmdline.trim() });
		} catch {
			// Gone between readdir and read: not ours to care about.
		}
	}
	return found;
}

/**
 * Resets VmHWM to the current resident set (clear_refs 5, Linux 4.0+), so that the next reading is
 * the peak of what ran since, not of n8n's start-up, which loads every node type and can peak
 * higher than a small workflow ever gets.
 */
function resetPeak(pid) {
	fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function alive(pid) {
	return fs.existsSync(`/proc/${pid}/stat`);
}

module.exports = { cpuMs, memory, resetPeak, children, alive, ticksPerSecond };
