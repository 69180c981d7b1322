'use strict';
/**
 * Debian packages the tests need and CI machines may lack (Chromium; PostgreSQL and Redis for
 * queue mode), installed with apt-get when we are root. Nothing installed is started: a package's
 * service would be a second, unowned copy of what the test starts in a folder of its own.
 */
const fs = require('node:fs');
const { run } = require('./processes');

// Debian's way of telling maintainer scripts not to start services (101: action forbidden).
const POLICY = '/usr/sbin/policy-rc.d';

async function aptInstall(packages, { log = console.log } = {}) {
	if (process.getuid?.() !== 0) {
		throw new Error(`${packages.join(', ')} missing, and only root can install them (apt-get)`);
	}
	log(`installing ${packages.join(', ')} with apt-get`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	// Another apt-get (a second helper, unattended upgrades) holds dpkg's lock: wait for it.
	const install = () =>
		run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', ...packages], {
			env,
			timeoutMs: 15 * 60 * 1000,
		});
	const ownPolicy = !fs.existsSync(POLICY);
	if (ownPolicy) fs.writeFileSync(POLICY, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
	try {
		try {
			await install();
		} catch {
			// A fresh image has no package lists yet.
			await run('apt-get', ['update'], { env, timeoutMs: 10 * 60 * 1000 });
			await install();
		}
	} finally {
		if (ownPolicy) fs.rmSync(POLICY, { force: true });
	}
}

module.exports = { aptInstall };
