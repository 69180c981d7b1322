// @ts-check
'use strict';

/**
 * The model catalogue of both APIs, with prices per million tokens so usage.cost looks like the
 * real thing (figures are plausible, not a price list).
 * @typedef {{ id: string, created: number, input: number, output: number }} AgentModel
 */

/** @type {AgentModel[]} */
const AGENT_MODELS = [
	{ id: 'perplexity/sonar', created: 1738368000, input: 1, output: 1 },
	{ id: 'openai/gpt-5.1', created: 1762905600, input: 1.25, output: 10 },
	{ id: 'openai/gpt-5-mini', created: 1754524800, input: 0.25, output: 2 },
	{ id: 'openai/gpt-5.4', created: 1772323200, input: 1.25, output: 10 },
	{ id: 'anthropic/claude-sonnet-4-5', created: 1759190400, input: 3, output: 15 },
	{ id: 'anthropic/claude-haiku-4-5', created: 1760572800, input: 1, output: 5 },
	{ id: 'anthropic/claude-opus-4-5', created: 1763942400, input: 5, output: 25 },
	{ id: 'google/gemini-2.5-pro', created: 1750204800, input: 1.25, output: 10 },
	{ id: 'google/gemini-2.5-flash', created: 1750204800, input: 0.3, output: 2.5 },
	{ id: 'xai/grok-4-1', created: 1763424000, input: 3, output: 15 },
];

const AGENT_BY_ID = new Map(AGENT_MODELS.map((m) => [m.id, m]));

/** A preset bundles a model with web search; the old names still resolve. */
const PRESETS = /** @type {Record<string, string>} */ ({
	fast: 'perplexity/sonar',
	low: 'openai/gpt-5-mini',
	medium: 'openai/gpt-5.1',
	high: 'xai/grok-4-1',
	xhigh: 'google/gemini-2.5-pro',
	'fast-search': 'perplexity/sonar',
	'pro-search': 'openai/gpt-5-mini',
	'deep-research': 'openai/gpt-5.1',
	'advanced-deep-research': 'xai/grok-4-1',
});

/** Price of one search_web tool call, USD (as recorded). */
const SEARCH_CALL_COST = 0.001;

/**
 * @typedef {{ input: number, output: number, request: Record<string, number>, think: boolean, reasoning: number }} SonarModel
 */

const REQUEST_FEES = { low: 0.005, medium: 0.008, high: 0.012 };

/** @type {Record<string, SonarModel>} */
const SONAR_MODELS = {
	sonar: { input: 1, output: 1, request: REQUEST_FEES, think: false, reasoning: 0 },
	'sonar-pro': {
		input: 3,
		output: 15,
		request: { low: 0.006, medium: 0.01, high: 0.014 },
		think: false,
		reasoning: 0,
	},
	'sonar-reasoning': {
		input: 1,
		output: 5,
		request: REQUEST_FEES,
		think: true,
		reasoning: 0,
	},
	'sonar-reasoning-pro': {
		input: 2,
		output: 8,
		request: REQUEST_FEES,
		think: true,
		reasoning: 0,
	},
	'sonar-deep-research': {
		input: 2,
		output: 8,
		request: REQUEST_FEES,
		think: false,
		reasoning: 512,
	},
};

/**
 * The embedding models: the published enums of POST /v1/embeddings and
 * /v1/contextualizedembeddings, each with its full size (the top of its published dimensions
 * range). Prices per million input tokens are plausible, not a price list (A31).
 * @typedef {{ dimensions: number, price: number }} EmbeddingModel
 */

/** @type {Record<string, EmbeddingModel>} */
const EMBEDDING_MODELS = {
	'pplx-embed-v1-0.6b': { dimensions: 1024, price: 0.004 },
	'pplx-embed-v1-4b': { dimensions: 2560, price: 0.03 },
};

/** @type {Record<string, EmbeddingModel>} */
const CONTEXTUALIZED_EMBEDDING_MODELS = {
	'pplx-embed-context-v1-0.6b': { dimensions: 1024, price: 0.008 },
	'pplx-embed-context-v1-4b': { dimensions: 2560, price: 0.05 },
};

/** @param {number} tokens @param {number} perMillion */
const price = (tokens, perMillion) => Math.round(tokens * perMillion) / 1e6;

function modelList() {
	return {
		object: 'list',
		data: AGENT_MODELS.map((m) => ({
			id: m.id,
			object: 'model',
			created: m.created,
			owned_by: m.id.slice(0, m.id.indexOf('/')),
		})),
	};
}

module.exports = {
	AGENT_BY_ID,
	PRESETS,
	SONAR_MODELS,
	SEARCH_CALL_COST,
	EMBEDDING_MODELS,
	CONTEXTUALIZED_EMBEDDING_MODELS,
	price,
	modelList,
};
