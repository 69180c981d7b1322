// @ts-check
'use strict';

const { compose, tokens, truncate, thinking, relatedQuestions, images } = require('./answers');
const { SONAR_MODELS, price } = require('./models');
const { sendJson } = require('./respond');
const { frame, sendStream, deltas } = require('./sse');
const { validateSonar } = require('./validate-sonar');

/**
 * Sonar chat completions (`POST /chat/completions`, alias `/v1/sonar`): the seed's wire format.
 * @typedef {import('./respond').Exchange} Exchange
 * @typedef {{ ids: import('./ids').Ids, config: { sonarDone: boolean } }} SonarState
 */

/**
 * @param {Exchange} x
 * @param {SonarState} state
 * @param {string} raw
 * @param {unknown} body
 */
function createCompletion(x, state, raw, body) {
	const spec = validateSonar(raw, body);
	const model = SONAR_MODELS[spec.model];
	const answer = compose(spec);
	const think = model.think ? thinking(answer) : '';
	let content = think + answer.text;
	let finishReason = 'stop';
	const full = tokens(content.length);
	const budget = x.fault?.name === 'incomplete' ? Math.max(1, full >> 1) : spec.maxTokens;
	if (budget !== null && full > budget) {
		content = truncate(content, budget);
		finishReason = 'length';
	}

	const searchResults = answer.results.map(
		({ title, url, date, last_updated, snippet, source }) => ({
			title,
			url,
			date,
			last_updated,
			snippet,
			source,
		}),
	);
	const promptTokens = tokens(spec.inputChars);
	const inputCost = price(promptTokens, model.input);
	const requestCost = spec.search ? (model.request[spec.contextSize] ?? 0) : 0;
	/**
	 * Usage as recorded live: a running count on every chunk, and the request fee only once done.
	 * @param {number} completionTokens
	 * @param {boolean} done
	 */
	const usageAt = (completionTokens, done) => {
		const outputCost = price(completionTokens, model.output);
		const fee = done ? requestCost : 0;
		return {
			completion_tokens: completionTokens,
			cost: {
				input_tokens_cost: inputCost,
				output_tokens_cost: outputCost,
				...(done ? { request_cost: fee } : {}),
				total_cost: Math.round((inputCost + outputCost + fee) * 1e6) / 1e6,
			},
			prompt_tokens: promptTokens,
			// Not in the recordings (their model does not reason); the docs list it.
			...(done && (think || model.reasoning)
				? { reasoning_tokens: tokens(think.length) + model.reasoning }
				: {}),
			search_context_size: spec.contextSize,
			total_tokens: promptTokens + completionTokens,
		};
	};
	const usage = usageAt(tokens(content.length), true);
	const head = {
		id: state.ids.completion(),
		model: spec.model,
		created: Math.floor(Date.now() / 1000),
	};
	const citations = searchResults.map((r) => r.url);
	// search_results, images and related_questions are documented, not recorded.
	const extras = {
		citations,
		search_results: searchResults,
		...(spec.returnImages ? { images: images(answer) } : {}),
		...(spec.returnRelated ? { related_questions: relatedQuestions(answer) } : {}),
	};

	if (!spec.stream) {
		sendJson(x, 200, {
			...head,
			usage,
			...extras,
			object: 'chat.completion',
			choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
		});
		return;
	}
	// Recorded chunks carry the citations and the running usage; the last one is
	// `chat.completion.done` with an empty delta and the finish reason, and no full message.
	const parts = deltas(content);
	let written = 0;
	const frames = parts.map((piece) => {
		written += piece.length;
		return frame({
			...head,
			usage: usageAt(tokens(written), false),
			citations,
			object: 'chat.completion.chunk',
			choices: [{ index: 0, delta: { role: 'assistant', content: piece }, finish_reason: null }],
		});
	});
	frames.push(
		frame({
			...head,
			usage,
			...extras,
			object: 'chat.completion.done',
			choices: [
				{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: finishReason },
			],
		}),
	);
	if (state.config.sonarDone) frames.push(frame('[DONE]'));
	const errorFrame = frame({
		error: {
			message: 'An internal error interrupted the stream.',
			type: 'internal_error',
			code: 500,
		},
	});
	sendStream(x, frames, Math.max(1, parts.length >> 1), errorFrame);
}

module.exports = { createCompletion };
