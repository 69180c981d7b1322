// @ts-check
'use strict';

/**
 * Counter-based ids: a test that resets the sandbox sees the same ids on every run, which keeps
 * snapshots and log assertions stable. Each kind counts on its own so unrelated traffic (model list,
 * polls) does not shift response ids.
 */
class Ids {
	constructor() {
		/** @type {Record<string, number>} */
		this.counters = {};
	}

	reset() {
		this.counters = {};
	}

	/** @param {string} kind */
	#next(kind) {
		const n = (this.counters[kind] ?? 0) + 1;
		this.counters[kind] = n;
		return n.toString(16);
	}

	response() {
		return `resp_${this.#next('resp').padStart(24, '0')}`;
	}

	message() {
		return `msg_${this.#next('msg').padStart(24, '0')}`;
	}

	/** Sonar and request ids are UUID-shaped on the real service. */
	completion() {
		return `00000000-0000-4000-8000-${this.#next('chat').padStart(12, '0')}`;
	}

	request() {
		return `00000000-0000-4000-9000-${this.#next('req').padStart(12, '0')}`;
	}
}

module.exports = { Ids };
