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
		content = truncate(content, [], budget).text;
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
	const completionTokens = tokens(content.length);
	const inputCost = price(promptTokens, model.input);
	const outputCost = price(completionTokens, model.output);
	const requestCost = spec.search ? (model.request[spec.contextSize] ?? 0) : 0;
	const usage = {
		prompt_tokens: promptTokens,
		completion_tokens: completionTokens,
		total_tokens: promptTokens + completionTokens,
		search_context_size: spec.contextSize,
		citation_tokens: answer.results.reduce((n, r) => n + tokens(r.snippet.length), 0),
		num_search_queries: spec.search ? model.queries : 0,
		reasoning_tokens: think ? tokens(think.length) : model.reasoning,
		cost: {
			input_tokens_cost: inputCost,
			output_tokens_cost: outputCost,
			request_cost: requestCost,
			total_cost: Math.round((inputCost + outputCost + requestCost) * 1e6) / 1e6,
		},
	};
	const head = {
		id: state.ids.completion(),
		model: spec.model,
		created: Math.floor(Date.now() / 1000),
	};
	const extras = {
		citations: searchResults.map((r) => r.url),
		search_results: searchResults,
		...(spec.returnImages ? { images: images(answer) } : {}),
		...(spec.returnRelated ? { related_questions: relatedQuestions(answer) } : {}),
	};
	const message = { role: 'assistant', content };

	if (!spec.stream) {
		sendJson(x, 200, {
			...head,
			object: 'chat.completion',
			...extras,
			choices: [{ index: 0, finish_reason: finishReason, message }],
			usage,
		});
		return;
	}
	const parts = deltas(content);
	const frames = parts.map((piece) =>
		frame({
			...head,
			object: 'chat.completion.chunk',
			choices: [{ index: 0, finish_reason: null, delta: { role: 'assistant', content: piece } }],
		}),
	);
	frames.push(
		frame({
			...head,
			object: 'chat.completion.done',
			...extras,
			choices: [
				{
					index: 0,
					finish_reason: finishReason,
					message,
					delta: { role: 'assistant', content: '' },
				},
			],
			usage,
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
