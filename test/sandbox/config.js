// @ts-check
'use strict';

/**
 * Runtime settings: their defaults and the checks shared by start options, `configure()` and
 * `POST /__sandbox/config`, so a typo fails loudly instead of silently doing nothing.
 * @typedef {import('./server').SandboxConfig} Config
 */

/** @type {Config} */
const DEFAULTS = {
	latencyMs: 0,
	backgroundMs: 300,
	logBodies: true,
	quiet: true,
	rateLimit: null,
	acceptDocsOnlyFields: false,
	sonarDone: true,
};

/** @type {Record<keyof Config, (v: any) => boolean>} */
const CHECKS = {
	latencyMs: (v) => typeof v === 'number' && v >= 0,
	backgroundMs: (v) => typeof v === 'number' && v >= 0,
	logBodies: (v) => typeof v === 'boolean',
	quiet: (v) => typeof v === 'boolean',
	acceptDocsOnlyFields: (v) => typeof v === 'boolean',
	sonarDone: (v) => typeof v === 'boolean',
	rateLimit: (v) =>
		v === null ||
		(typeof v === 'object' &&
			Number.isInteger(v.limit) &&
			v.limit >= 0 &&
			typeof v.windowMs === 'number' &&
			v.windowMs > 0),
};

const HINTS = /** @type {Record<keyof Config, string>} */ ({
	latencyMs: 'a number >= 0',
	backgroundMs: 'a number >= 0',
	logBodies: 'a boolean',
	quiet: 'a boolean',
	acceptDocsOnlyFields: 'a boolean',
	sonarDone: 'a boolean',
	rateLimit: 'null or { limit: integer >= 0, windowMs: number > 0 }',
});

/**
 * @param {unknown} partial
 * @param {readonly string[]} [ignore] keys that belong to someone else (start options such as port)
 * @returns {Partial<Config>}
 */
function checkConfig(partial, ignore = []) {
	if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
		throw new Error('config must be an object');
	}
	/** @type {Record<string, unknown>} */
	const out = {};
	for (const [key, value] of Object.entries(partial)) {
		if (ignore.includes(key) || value === undefined) continue;
		const check = CHECKS[/** @type {keyof Config} */ (key)];
		if (!check)
			throw new Error(`unknown config key "${key}"; known: ${Object.keys(CHECKS).join(', ')}`);
		if (!check(value))
			throw new Error(`${key} must be ${HINTS[/** @type {keyof Config} */ (key)]}`);
		out[key] =
			key === 'rateLimit' && value ? { limit: value.limit, windowMs: value.windowMs } : value;
	}
	return /** @type {Partial<Config>} */ (out);
}

module.exports = { DEFAULTS, checkConfig };
