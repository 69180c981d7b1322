// @ts-check
'use strict';

const { ApiError } = require('./errors');
const { compose, tokens, truncate } = require('./answers');
const { conversationBefore } = require('./conversations');
const { functionTurn } = require('./functions');
const { AGENT_BY_ID, SEARCH_CALL_COST, price } = require('./models');
const { sendJson } = require('./respond');
const { frame, sendStream, deltas } = require('./sse');
const { validateAgent } = require('./validate-agent');

/**
 * The Agent API (`POST /v1/agent`, alias `/v1/responses`): response objects, SSE events and
 * background runs, in the shapes of `shared/reference/recordings/vercel-agent-web-search.*`.
 *
 * @typedef {import('./respond').Exchange} Exchange
 * @typedef {import('./respond').ActiveFault} ActiveFault
 * @typedef {import('./answers').Answer} Answer
 * @typedef {import('./validate-agent').AgentSpec} AgentSpec
 * @typedef {'completed' | 'incomplete' | 'failed' | 'cancelled'} Terminal
 * @typedef {{ status: Terminal, text: string, error: Record<string, string> | null }} Outcome
 * @typedef {import('./functions').FunctionCall} FunctionCall
 * @typedef {{ id: string, msgId: string, spec: AgentSpec, answer: Answer, calls: FunctionCall[] | null, createdAt: number, readyAt: number, outcome: Outcome }} Run
 * @typedef {{
 *   ids: import('./ids').Ids, runs: import('./background').RunStore<Run>,
 *   turns: import('./background').RunStore<import('./conversations').Turn>,
 *   config: { backgroundMs: number, acceptDocsOnlyFields: boolean },
 * }} AgentState
 */

/** Reasoning tokens per effort level, counted into output tokens as the real usage does. */
const EFFORT_TOKENS = /** @type {Record<string, number>} */ ({
	minimal: 0,
	low: 64,
	medium: 192,
	high: 512,
	xhigh: 1024,
});

/**
 * A preset brings its own system prompt, which the real service caches: the recorded runs read
 * most of their ~3000 input tokens from the cache. The sandbox counts this many as cache reads.
 */
const PRESET_PROMPT_TOKENS = 1780;

/** Cached input is billed at a tenth of the input price (an assumption; no price list is recorded). */
const CACHE_READ_FACTOR = 0.1;

/** @param {number} ms */
const seconds = (ms) => Math.floor(ms / 1000);

/** @param {number} usd */
const roundUsd = (usd) => Math.round(usd * 1e6) / 1e6;

/** @param {ActiveFault} fault @returns {Outcome} */
function failedOutcome(fault) {
	const p = fault.params;
	return {
		status: 'failed',
		text: '',
		error: {
			code: p.code ?? 'internal_error',
			message: p.message ?? 'The model failed to generate a response. Please retry.',
			type: p.type ?? 'server_error',
		},
	};
}

/** @type {Outcome} */
const CANCELLED = {
	status: 'cancelled',
	text: '',
	error: { code: 'cancelled', message: 'The response was cancelled.', type: 'cancelled' },
};

/**
 * How a run ends: a response fault decides, else `max_output_tokens` may cut the answer short.
 * @param {AgentSpec} spec
 * @param {Answer} answer
 * @param {ActiveFault | null} fault
 * @returns {Outcome}
 */
function outcomeOf(spec, answer, fault) {
	if (fault?.name === 'failed') return failedOutcome(fault);
	if (fault?.name === 'cancelled') return CANCELLED;
	const full = tokens(answer.text.length);
	const budget = fault?.name === 'incomplete' ? Math.max(1, full >> 1) : spec.maxOutputTokens;
	if (budget !== null && full > budget) {
		return { status: 'incomplete', text: truncate(answer.text, budget), error: null };
	}
	return { status: 'completed', text: answer.text, error: null };
}

/** @param {Answer} answer */
const searchItem = (answer) => ({
	type: 'search_results',
	queries: answer.queries,
	results: answer.results,
});

/** @param {Run} run @param {Outcome} o */
const messageItem = (run, o) => ({
	type: 'message',
	id: run.msgId,
	status: o.status === 'incomplete' ? 'incomplete' : 'completed',
	role: 'assistant',
	// Recorded answers cite with [n] markers and leave annotations empty.
	content: [{ type: 'output_text', text: o.text, annotations: [] }],
});

/** @param {Run} run @param {Outcome} o */
function usage(run, o) {
	const { spec, answer } = run;
	const model = AGENT_BY_ID.get(spec.model) ?? { input: 1, output: 1 };
	const searched = spec.search;
	const cached = spec.preset ? PRESET_PROMPT_TOKENS : 0;
	const fresh = tokens(spec.inputChars) + (searched ? answer.results.length * 48 : 0);
	const generated = o.status === 'failed' || o.status === 'cancelled';
	const reasoning = generated ? 0 : (EFFORT_TOKENS[spec.effort ?? ''] ?? 0);
	const output = generated ? 0 : tokens(o.text.length) + reasoning;
	const inputCost = price(fresh, model.input);
	const cacheReadCost = price(cached, model.input * CACHE_READ_FACTOR);
	const outputCost = price(output, model.output);
	const toolCost = searched ? SEARCH_CALL_COST : 0;
	return {
		cost: {
			cache_creation_cost: 0,
			cache_read_cost: cacheReadCost,
			currency: 'USD',
			input_cost: inputCost,
			output_cost: outputCost,
			tool_calls_cost: toolCost,
			tool_calls_cost_details: searched ? { search_web: toolCost } : {},
			total_cost: roundUsd(inputCost + cacheReadCost + outputCost + toolCost),
		},
		input_tokens: fresh + cached,
		input_tokens_details: {
			cache_creation_input_tokens: 0,
			cache_read_input_tokens: cached,
			cached_tokens: cached,
		},
		output_tokens: output,
		output_tokens_details: { reasoning_tokens: reasoning },
		tool_calls_details: searched ? { search_web: { cost_usd: toolCost, invocation: 1 } } : {},
		total_tokens: fresh + cached + output,
	};
}

/**
 * The response object in one of its states: `queued` / `in_progress` (no output yet, and the
 * preset's name as `model`, as recorded) or terminal (the concrete model).
 * @param {Run} run
 * @param {'queued' | 'in_progress' | null} pending null renders the run's outcome
 */
function render(run, pending) {
	const o = run.outcome;
	const done = pending === null;
	const answered = done && (o.status === 'completed' || o.status === 'incomplete');
	/** @type {unknown[]} */
	const output = [];
	if (answered && run.calls) output.push(...run.calls);
	else if (answered) {
		if (run.spec.search) output.push(searchItem(run.answer));
		output.push(messageItem(run, o));
	}
	return {
		...run.spec.echo,
		id: run.id,
		object: 'response',
		created_at: seconds(run.createdAt),
		completed_at: done ? seconds(run.readyAt) : null,
		status: done ? o.status : pending,
		model: done ? run.spec.model : (run.spec.preset ?? run.spec.model),
		output,
		usage: done ? usage(run, o) : null,
		error: done ? o.error : null,
		incomplete_details: done && o.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
		// Recorded: "default" while running, "fast" once done.
		service_tier: done ? 'fast' : 'default',
	};
}

/**
 * The event sequence of the recorded stream: the run as created, a server-side `search_web`
 * function_call item, the search events (with its call_id and a thought), the search_results item,
 * the message item added with `content: null`, the text deltas, then exactly one terminal event.
 * Every event has an `event:` line; sequence numbers skip where the recording skips.
 * @param {Exchange} x
 * @param {AgentState} state
 * @param {Run} run
 */
function streamRun(x, state, run) {
	const o = run.outcome;
	const shell = render(run, 'in_progress');
	/** @type {string[]} */
	const frames = [];
	let seq = 0;
	/** @param {string} type @param {Record<string, unknown>} fields */
	const emit = (type, fields) => {
		frames.push(frame({ ...fields, sequence_number: seq++, type }, type));
	};
	emit('response.created', { response: shell });
	emit('response.in_progress', { response: shell });
	seq++; // internal events are not forwarded: clients must not expect +1
	let cutAt = frames.length;
	if (run.calls && (o.status === 'completed' || o.status === 'incomplete')) {
		// As recorded for server-side calls: each item arrives whole, its arguments included.
		run.calls.forEach((item, index) => {
			emit('response.output_item.added', { output_index: index, item });
			emit('response.output_item.done', { output_index: index, item });
		});
	} else if (o.status === 'completed' || o.status === 'incomplete') {
		let index = 0;
		if (run.spec.search) {
			const item = searchItem(run.answer);
			const call = state.ids.searchCall();
			emit('response.output_item.added', {
				item: {
					arguments: JSON.stringify({ queries: item.queries }),
					call_id: call.callId,
					id: call.id,
					name: 'search_web',
					status: 'completed',
					type: 'function_call',
				},
				output_index: 0,
			});
			emit('response.reasoning.search_queries', {
				call_id: call.callId,
				queries: item.queries,
				thought: 'Searching the web...',
			});
			emit('response.reasoning.search_results', {
				call_id: call.callId,
				results: item.results,
				thought: `Found ${item.results.length} results`,
			});
			emit('response.output_item.done', { item, output_index: 0 });
			index = 1;
		}
		const message = messageItem(run, o);
		const at = { content_index: 0, item_id: run.msgId, output_index: index };
		emit('response.output_item.added', {
			item: { ...message, content: null },
			output_index: index,
		});
		const parts = deltas(o.text);
		const first = frames.length;
		for (const delta of parts) emit('response.output_text.delta', { ...at, delta });
		cutAt = first + Math.max(1, parts.length >> 1);
		seq++;
		emit('response.output_text.done', { ...at, text: o.text });
		emit('response.output_item.done', { item: message, output_index: index });
	}
	const final = render(run, null);
	if (o.status === 'failed') emit('response.failed', { response: final, error: o.error });
	else emit(`response.${o.status}`, { response: final });
	const errorFrame = frame(
		{
			error: {
				message: 'An internal error interrupted the stream.',
				type: 'internal_error',
				code: 500,
			},
			sequence_number: seq,
			type: 'error',
		},
		'error',
	);
	sendStream(x, frames, cutAt, errorFrame);
}

/**
 * POST /v1/agent, /v1/responses
 * @param {Exchange} x
 * @param {AgentState} state
 * @param {string} raw
 * @param {unknown} body
 */
function createResponse(x, state, raw, body) {
	const spec = validateAgent(raw, body, state.config);
	const previous = spec.echo.previous_response_id;
	const earlier = typeof previous === 'string' ? conversationBefore(state.turns, previous) : [];
	// The continued conversation is read by the model, so it counts as input.
	for (const turn of earlier) spec.inputChars += turn.question.length + turn.answer.length;
	const answer = compose({ ...spec, earlier: earlier.map((turn) => turn.question) });
	const now = Date.now();
	const id = state.ids.response();
	/** @type {Run} */
	const run = {
		id,
		msgId: state.ids.message(),
		spec,
		answer,
		calls: functionTurn(/** @type {Record<string, any>} */ (body), spec, answer, id),
		createdAt: now,
		readyAt: now,
		outcome: outcomeOf(spec, answer, x.fault),
	};
	state.turns.add(id, {
		question: answer.question,
		text: run.outcome.text,
		status: run.outcome.status,
		previous: typeof previous === 'string' ? previous : null,
		// A background run may still change (cancel, a fault on a poll): the turn follows it.
		run: spec.background ? run : null,
	});
	if (spec.background) {
		run.readyAt = now + state.config.backgroundMs;
		state.runs.add(run.id, run);
		sendJson(x, 200, render(run, 'queued'));
	} else if (spec.stream) streamRun(x, state, run);
	else sendJson(x, 200, render(run, null));
}

/** @param {AgentState} state @param {string} id */
function findRun(state, id) {
	const run = state.runs.get(id);
	if (!run) throw new ApiError(404, 'not_found', `Response with id '${id}' not found`, 'id');
	return run;
}

/**
 * A response fault on a poll ends a still-running run that way (a failed run stays failed).
 * @param {Run} run
 * @param {ActiveFault | null} fault
 * @param {number} now
 */
function settleByFault(run, fault, now) {
	if (!fault || now >= run.readyAt) return;
	if (fault.name === 'failed') run.outcome = failedOutcome(fault);
	else if (fault.name === 'cancelled') run.outcome = CANCELLED;
	else if (fault.name === 'incomplete') run.outcome = outcomeOf(run.spec, run.answer, fault);
	else return;
	run.readyAt = now;
}

/**
 * GET /v1/responses/{id}
 * @param {Exchange} x
 * @param {AgentState} state
 * @param {string} id
 */
function getResponse(x, state, id) {
	const run = findRun(state, id);
	const now = Date.now();
	settleByFault(run, x.fault, now);
	sendJson(x, 200, render(run, now < run.readyAt ? 'in_progress' : null));
}

/**
 * POST /v1/responses/{id}/cancel, as the SDK types it: a run still in progress is accepted with
 * `{response_id, status: "cancelling"}` (the sandbox ends it at once, so the next poll sees
 * `cancelled`); a run already terminal is a 400.
 * @param {Exchange} x
 * @param {AgentState} state
 * @param {string} id
 */
function cancelResponse(x, state, id) {
	const run = findRun(state, id);
	const now = Date.now();
	if (now >= run.readyAt) {
		throw new ApiError(
			400,
			'invalid_request',
			`Response '${id}' has already finished (${run.outcome.status}) and cannot be cancelled`,
			'id',
		);
	}
	run.outcome = CANCELLED;
	run.readyAt = now;
	sendJson(x, 200, { response_id: id, status: 'cancelling' });
}

module.exports = { createResponse, getResponse, cancelResponse };
