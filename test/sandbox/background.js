// @ts-check
'use strict';

/**
 * A bounded store by id: background runs for `GET /v1/responses/{id}` and cancel (only background
 * runs are kept whole: storing every response would make a 10,000-request benchmark grow the heap
 * for nothing), and the small turns that `previous_response_id` continues (conversations.js).
 * @template T
 */
class RunStore {
	/** @param {number} max oldest runs are dropped beyond this, so a long bench cannot exhaust memory */
	constructor(max) {
		this.max = max;
		/** @type {Map<string, T>} */
		this.runs = new Map();
	}

	clear() {
		this.runs.clear();
	}

	/** @param {string} id @param {T} run */
	add(id, run) {
		if (this.runs.size >= this.max) {
			const oldest = this.runs.keys().next().value;
			if (oldest !== undefined) this.runs.delete(oldest);
		}
		this.runs.set(id, run);
	}

	/** @param {string} id */
	get(id) {
		return this.runs.get(id);
	}
}

module.exports = { RunStore };
