// @ts-check
'use strict';

const { ApiError } = require('./errors');

/**
 * `previous_response_id`: the SDK says a follow-up continues "from the completed prior response
 * using its durable continuation snapshot", and that a response created with `store: false` can
 * still be continued. So every Agent response is remembered here as a small turn (its question,
 * its answer, the turn it continued), whatever `store` says; `store` only governs
 * `GET /v1/responses/{id}`, which serves background runs as before.
 *
 * @typedef {import('./agent').Run} Run
 * @typedef {{ question: string, text: string, status: string, previous: string | null, run: Run | null }} Turn
 * @typedef {{ question: string, answer: string }} Exchange
 */

/** Turns kept at most; the oldest are forgotten first, as an expired snapshot would be (A37). */
const MAX_TURNS = 10_000;

/**
 * A turn's status now: a background run's comes from the run itself, which may still be going
 * or may have been cancelled since.
 * @param {Turn} turn
 * @param {number} now
 */
function statusOf(turn, now) {
	if (!turn.run) return turn.status;
	return now < turn.run.readyAt ? 'in_progress' : turn.run.outcome.status;
}

/**
 * The conversation a request continues, oldest exchange first. An unknown id is a 404 and a
 * response that has not completed a 400 (A36: the evidence says what must hold, not how the
 * service refuses).
 * @param {import('./background').RunStore<Turn>} turns
 * @param {string} id
 * @returns {Exchange[]}
 */
function conversationBefore(turns, id) {
	const last = turns.get(id);
	if (!last) {
		throw new ApiError(
			404,
			'not_found',
			`Previous response with id '${id}' not found`,
			'previous_response_id',
		);
	}
	const status = statusOf(last, Date.now());
	if (status !== 'completed') {
		throw new ApiError(
			400,
			'invalid_request',
			`Previous response '${id}' is ${status}: only a completed response can be continued`,
			'previous_response_id',
		);
	}
	/** @type {Exchange[]} */
	const chain = [];
	// Ids only ever point at older turns, so the walk ends; a forgotten turn ends it early.
	for (let turn = /** @type {Turn | undefined} */ (last); turn; ) {
		chain.unshift({ question: turn.question, answer: turn.run?.outcome.text ?? turn.text });
		turn = turn.previous ? turns.get(turn.previous) : undefined;
	}
	return chain;
}

module.exports = { MAX_TURNS, conversationBefore };
