'use strict';
/**
 * Debian's Chromium for the editor test: playwright-core drives it, no browser download (none is
 * reachable from CI or these machines). Installed with apt when missing and we are root.
 */
const fs = require('node:fs');
const { run } = require('./processes');

const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

async function ensureChromium({ log = console.log } = {}) {
	const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
	if (fs.existsSync(chromium)) return chromium;
	if (process.env.CHROMIUM_PATH || process.getuid?.() !== 0) {
		throw new Error(
			`no Chromium at ${chromium}: install Debian's chromium package or set CHROMIUM_PATH`,
		);
	}
	log('installing Chromium with apt-get (~20 s)');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () =>
		run('apt-get', ['install', '-y', 'chromium'], {
			env,
			timeoutMs: 10 * 60 * 1000,
		});
	try {
		await install();
	} catch {
		// A fresh image has no package lists yet.
		await run('apt-get', ['update'], { env, timeoutMs: 10 * 60 * 1000 });
		await install();
	}
	if (!fs.existsSync(chromium))
		throw new Error(`apt-get installed chromium but ${chromium} is missing`);
	return chromium;
}

module.exports = { CHROMIUM_ARGS, ensureChromium };
