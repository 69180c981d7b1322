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

	/** Agent ids are a prefix and a UUID, as recorded: `resp_…`, `msg_…`, `fc_…`, `call_…`. */
	#uuid(/** @type {string} */ kind, /** @type {string} */ variant) {
		return `00000000-0000-4000-${variant}-${this.#next(kind).padStart(12, '0')}`;
	}

	response() {
		return `resp_${this.#uuid('resp', 'a000')}`;
	}

	message() {
		return `msg_${this.#uuid('msg', 'b000')}`;
	}

	/** The server-side search_web function_call item streams carry, and its call id. */
	searchCall() {
		const n = this.#uuid('call', 'c000');
		return { id: `fc_${n}`, callId: `call_${n}` };
	}

	/** Sonar and request ids are UUID-shaped on the real service. */
	completion() {
		return this.#uuid('chat', '8000');
	}

	/** Assumption A23: the published schema says only that the id is a string. */
	search() {
		return this.#uuid('search', '7000');
	}

	request() {
		return this.#uuid('req', '9000');
	}
}

module.exports = { Ids };
