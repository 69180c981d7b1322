'use strict';
/**
 * Debian's Chromium for the editor test: playwright-core drives it, no browser download (none is
 * reachable from CI or these machines). Installed with apt when missing and we are root.
 */
const fs = require('node:fs');
const { aptInstall } = require('./apt');

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
	await aptInstall(['chromium'], { log });
	if (!fs.existsSync(chromium))
		throw new Error(`apt-get installed chromium but ${chromium} is missing`);
	return chromium;
}

module.exports = { CHROMIUM_ARGS, ensureChromium };
