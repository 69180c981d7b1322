// @ts-check
'use strict';

/**
 * The request log behind `requests()` and `stats()`. Stats are counted as requests finish, so
 * `/__sandbox/stats` stays cheap after a 10,000-request benchmark and survives log trimming.
 * @typedef {import('./server').RequestEntry} RequestEntry
 * @typedef {import('./server').Stats} Stats
 */

/** Beyond this many entries the oldest tenth is dropped; stats keep counting. */
const MAX_ENTRIES = 100_000;

/** @param {Record<string, number>} counts @param {string} key */
const bump = (counts, key) => {
	counts[key] = (counts[key] ?? 0) + 1;
};

class RequestLog {
	constructor() {
		/** @type {RequestEntry[]} */
		this.entries = [];
		this.seq = 0;
		/** @type {Stats} */
		this.counts = RequestLog.#emptyStats();
		/** requests of the current log still in flight; a reset() forgets the older ones */
		/** @type {Set<RequestEntry>} */
		this.open = new Set();
	}

	static #emptyStats() {
		return { total: 0, inFlight: 0, byPath: {}, byStatus: {}, byFault: {} };
	}

	clear() {
		this.entries = [];
		this.seq = 0;
		this.counts = RequestLog.#emptyStats();
		this.open.clear();
	}

	/**
	 * @param {string} method
	 * @param {string} path
	 * @param {string} group the key `byPath` counts under
	 * @returns {RequestEntry}
	 */
	start(method, path, group) {
		/** @type {RequestEntry} */
		const entry = {
			seq: ++this.seq,
			method,
			path,
			status: null,
			fault: null,
			auth: 'none',
			stream: false,
			prompt: null,
			body: null,
			startedAt: Date.now(),
			endedAt: null,
		};
		if (this.entries.length >= MAX_ENTRIES) this.entries.splice(0, MAX_ENTRIES / 10);
		this.entries.push(entry);
		this.open.add(entry);
		this.counts.total++;
		this.counts.inFlight++;
		bump(this.counts.byPath, group);
		return entry;
	}

	/**
	 * @param {RequestEntry} entry
	 * @param {number | null} status null when the client left before any response
	 */
	finish(entry, status) {
		entry.status = status;
		entry.endedAt = Date.now();
		if (!this.open.delete(entry)) return;
		this.counts.inFlight--;
		bump(this.counts.byStatus, String(status ?? 'aborted'));
		if (entry.fault) bump(this.counts.byFault, entry.fault);
	}

	/** @param {number} [since] only entries with a larger seq */
	list(since = 0) {
		if (since <= 0) return this.entries.slice();
		return this.entries.filter((e) => e.seq > since);
	}

	/** @returns {Stats} */
	stats() {
		const c = this.counts;
		return {
			total: c.total,
			inFlight: c.inFlight,
			byPath: { ...c.byPath },
			byStatus: { ...c.byStatus },
			byFault: { ...c.byFault },
		};
	}
}

module.exports = { RequestLog };
