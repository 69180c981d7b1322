// @ts-check
'use strict';

const { ApiError, invalidParameter } = require('./errors');
const { AGENT_BY_ID, PRESETS } = require('./models');
const { isObject, promptOf, inputChars } = require('./prompt');
const { stripDirectives } = require('./directives');
const { range, oneOf, searchFilters } = require('./validate-common');
const { imagesOf } = require('./images');

/**
 * The Agent API is a Go service decoding with DisallowUnknownFields: the first problem in document
 * order (an unknown field at any depth, or a wrongly typed value) is reported in Go's words, before
 * any semantic check runs. This module reproduces that two-phase behaviour.
 *
 * @typedef {import('./search').SearchOptions} SearchOptions
 * @typedef {{
 *   t: 'string' | 'number' | 'int' | 'bool' | 'any' | 'loose' | 'object' | 'array' | 'text' | 'tagged',
 *   go?: string, fields?: Record<string, Node>, items?: Node, tags?: Record<string, Node>,
 *   what?: string, fallback?: string, array?: Node, evidence?: Record<string, Evidence>,
 * }} Node
 * @typedef {'R S' | 'S' | 'D'} Evidence
 * @typedef {{
 *   model: string, prompt: string, inputChars: number, search: boolean, searchOptions: SearchOptions,
 *   schema: Record<string, any> | null, maxOutputTokens: number | null, effort: string | null,
 *   stream: boolean, background: boolean, preset: string | null, echo: Record<string, unknown>,
 *   images: import('./images').Image[],
 * }} AgentSpec
 * @typedef {{ acceptDocsOnlyFields: boolean }} AgentRules
 */

/** @type {Node} */ const STR = { t: 'string' };
/** @type {Node} */ const NUM = { t: 'number' };
/** @type {Node} */ const INT = { t: 'int' };
/** @type {Node} */ const BOOL = { t: 'bool' };
/** @type {Node} */ const ANY = { t: 'any' };
/** Tools the sandbox does not run are accepted loosely: any object, fields unchecked. */
/** @type {Node} */ const LOOSE = { t: 'loose' };
/** @type {(items: Node) => Node} */
const arr = (items) => ({ t: 'array', items });

/**
 * An object whose fields each name the evidence that lets them in (perplexity-api.md §2):
 * R = sent in a recorded real request answered 200, S = in the official SDK's
 * `ResponseCreateParams`, D = named in the docs only. R or S: accepted. D: refused as an unknown
 * field unless the sandbox runs with `acceptDocsOnlyFields`. A field that is not listed at all
 * (Sonar-only fields, `max_results` on the tool, `metadata`, ...) is always an unknown field.
 * @param {string} go the Go type name, for type errors
 * @param {Record<string, [Evidence, Node]>} fields
 * @returns {Node}
 */
const obj = (go, fields) => ({
	t: 'object',
	go,
	fields: Object.fromEntries(Object.entries(fields).map(([k, [, node]]) => [k, node])),
	evidence: Object.fromEntries(Object.entries(fields).map(([k, [ev]]) => [k, ev])),
});

const contentPart = /** @type {Node} */ ({
	t: 'tagged',
	go: 'InputContentPart',
	what: 'content part',
	tags: {
		input_text: obj('InputContentPart', { type: ['R S', STR], text: ['R S', STR] }),
		input_image: obj('InputContentPart', { type: ['S', STR], image_url: ['S', STR] }),
	},
});

const inputItem = /** @type {Node} */ ({
	t: 'tagged',
	go: 'InputItem',
	what: 'input item',
	// Recorded requests leave `type` out of messages; the SDK types have `type: "message"`.
	fallback: 'message',
	tags: {
		message: obj('InputMessage', {
			type: ['S', STR],
			role: ['R S', STR],
			content: ['R S', { t: 'text', what: 'content', array: arr(contentPart) }],
		}),
		function_call: obj('FunctionCallInput', {
			type: ['S', STR],
			call_id: ['S', STR],
			name: ['S', STR],
			arguments: ['S', STR],
			thought_signature: ['S', STR],
		}),
		function_call_output: obj('FunctionCallOutputInput', {
			type: ['S', STR],
			call_id: ['S', STR],
			output: ['S', STR],
			name: ['S', STR],
			thought_signature: ['S', STR],
		}),
	},
});

const webSearchTool = obj('WebSearchTool', {
	type: ['R S', STR],
	filters: [
		'R S',
		obj('WebSearchFilters', {
			search_domain_filter: ['R S', arr(STR)],
			search_recency_filter: ['R S', STR],
			search_after_date_filter: ['S', STR],
			search_before_date_filter: ['S', STR],
			last_updated_after_filter: ['S', STR],
			last_updated_before_filter: ['S', STR],
			search_language_filter: ['D', arr(STR)],
		}),
	],
	search_context_size: ['R S', STR],
	max_tokens: ['S', INT],
	max_tokens_per_page: ['S', INT],
	user_location: [
		'S',
		obj('ToolUserLocation', {
			latitude: ['S', NUM],
			longitude: ['S', NUM],
			country: ['S', STR],
			region: ['S', STR],
			city: ['S', STR],
		}),
	],
});

const functionTool = obj('FunctionTool', {
	type: ['S', STR],
	name: ['S', STR],
	description: ['S', STR],
	parameters: ['S', LOOSE],
	strict: ['S', BOOL],
});

/** The one table of what a request may carry, and the evidence for each field. */
const REQUEST = obj('ResponsesRequest', {
	input: ['R S', { t: 'text', what: 'input', array: arr(inputItem) }],
	instructions: ['S', STR],
	model: ['R S', STR],
	models: ['R S', arr(STR)],
	preset: ['R S', STR],
	max_output_tokens: ['R S', INT],
	reasoning: ['R S', obj('ReasoningConfig', { effort: ['R S', STR] })],
	response_format: [
		'S',
		obj('ResponseFormat', {
			type: ['S', STR],
			json_schema: [
				'S',
				obj('JSONSchemaFormat', {
					name: ['S', STR],
					schema: ['S', LOOSE],
					description: ['S', STR],
					strict: ['S', BOOL],
				}),
			],
		}),
	],
	tools: [
		'R S',
		arr({
			t: 'tagged',
			go: 'Tool',
			what: 'tool',
			tags: {
				web_search: webSearchTool,
				function: functionTool,
				fetch_url: LOOSE,
				finance_search: LOOSE,
				people_search: LOOSE,
				sandbox: LOOSE,
				mcp: LOOSE,
			},
		}),
	],
	language_preference: ['S', STR],
	max_steps: ['S', INT],
	stream: ['R S', BOOL],
	background: ['S', BOOL],
	store: ['S', BOOL],
	previous_response_id: ['S', STR],
	temperature: ['D', NUM],
	top_p: ['D', NUM],
	tool_choice: ['D', ANY],
	parallel_tool_calls: ['D', BOOL],
	max_tool_calls: ['D', INT],
});

/** @param {Node} node @returns {string} */
function goType(node) {
	switch (node.t) {
		case 'number':
			return 'float64';
		case 'array':
			return `[]${goType(/** @type {Node} */ (node.items))}`;
		case 'object':
		case 'tagged':
			return `agent.${node.go}`;
		case 'loose':
			return 'map[string]interface {}';
		case 'any':
			return 'interface {}';
		default:
			return node.t;
	}
}

/** @param {unknown} v @param {Node} node */
function jsonType(v, node) {
	if (Array.isArray(v)) return 'array';
	if (typeof v === 'boolean') return 'bool';
	if (typeof v === 'number') return node.t === 'int' ? `number ${v}` : 'number';
	return typeof v;
}

/** @param {string} message @param {string} param */
const bodyError = (message, param) =>
	new ApiError(400, 'invalid_request', `invalid request body: ${message}`, param);

/**
 * @param {unknown} v
 * @param {Node} node
 * @param {string} path Go's dotted field path, e.g. ResponsesRequest.tools.filters
 * @param {string} field the JSON name, reported as `param`
 */
function typeError(v, node, path, field) {
	return bodyError(
		`json: cannot unmarshal ${jsonType(v, node)} into Go struct field ${path} of type ${goType(node)}`,
		field,
	);
}

/**
 * Phase one: structure and types, first problem wins.
 * @param {unknown} v
 * @param {Node} node
 * @param {string} path
 * @param {string} field
 * @param {AgentRules} rules
 */
function decode(v, node, path, field, rules) {
	if (v === null) return; // Go leaves null fields at their zero value
	switch (node.t) {
		case 'string':
			if (typeof v !== 'string') throw typeError(v, node, path, field);
			return;
		case 'number':
			if (typeof v !== 'number') throw typeError(v, node, path, field);
			return;
		case 'int':
			if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(v, node, path, field);
			return;
		case 'bool':
			if (typeof v !== 'boolean') throw typeError(v, node, path, field);
			return;
		case 'any':
			return;
		case 'loose':
			if (!isObject(v)) throw typeError(v, node, path, field);
			return;
		case 'array':
			if (!Array.isArray(v)) throw typeError(v, node, path, field);
			for (const item of v) decode(item, /** @type {Node} */ (node.items), path, field, rules);
			return;
		case 'text':
			// input and content have custom unmarshalers: a string or an array, nothing else
			if (typeof v === 'string') return;
			if (!Array.isArray(v)) {
				throw bodyError(`${node.what} must be a string or an array`, field);
			}
			decode(v, /** @type {Node} */ (node.array), path, field, rules);
			return;
		case 'tagged': {
			const tags = /** @type {Record<string, Node>} */ (node.tags);
			if (!isObject(v)) throw bodyError(`each ${node.what} must be an object`, field);
			const tag = v.type ?? node.fallback;
			if (typeof tag !== 'string') throw bodyError(`${node.what} type is required`, 'type');
			const chosen = tags[tag];
			if (!chosen) throw bodyError(`unsupported ${node.what} type "${tag}"`, 'type');
			decode(v, chosen, path, field, rules);
			return;
		}
		case 'object': {
			if (!isObject(v)) throw typeError(v, node, path, field);
			const fields = /** @type {Record<string, Node>} */ (node.fields);
			const evidence = /** @type {Record<string, Evidence>} */ (node.evidence);
			for (const key of Object.keys(v)) {
				const child = fields[key];
				// A docs-only field may well be refused live; the sandbox refuses it the way Go would.
				const known = child && (evidence[key] !== 'D' || rules.acceptDocsOnlyFields);
				if (!known) throw bodyError(`json: unknown field "${key}"`, key);
				decode(v[key], child, `${path}.${key}`, key, rules);
			}
			return;
		}
	}
}

const ROLES = ['user', 'assistant', 'system', 'developer'];
const EFFORTS = ['minimal', 'low', 'medium', 'high', 'xhigh'];
const CONTEXT_SIZES = ['low', 'medium', 'high'];
const TOOL_CHOICES = ['auto', 'none', 'required'];
const QUESTION =
	/^(?:what|who|whom|whose|when|where|why|how|which|is|are|was|were|do|does|did|can|could|should|would|will|tell|explain|describe|find|search|look|list|compare|summari[sz]e|give|latest|current|news)\b/i;

/**
 * Whether a model offered (not forced) the web_search tool decides to use it: deterministic, it
 * searches for anything that reads like a question.
 * @param {string} prompt
 */
const looksLikeQuestion = (prompt) => {
	const text = stripDirectives(prompt).trim();
	return text.includes('?') || QUESTION.test(text);
};

/** @param {Record<string, any>} body */
function checkInput(body) {
	const input = body.input;
	if (
		input === undefined ||
		input === null ||
		input === '' ||
		(Array.isArray(input) && !input.length)
	) {
		throw new ApiError(400, 'invalid_request', 'input is required', 'input');
	}
	if (!Array.isArray(input)) return;
	for (const item of input) {
		if ((item.type ?? 'message') !== 'message') continue;
		if (item.role === undefined || item.role === null) {
			throw new ApiError(400, 'invalid_request', 'each input message needs a role', 'role');
		}
		oneOf('role', item.role, ROLES);
		if (item.content === undefined || item.content === null) {
			throw new ApiError(400, 'invalid_request', 'each input message needs content', 'content');
		}
	}
}

/** @param {string} id @param {string} param */
function knownModel(id, param) {
	if (!AGENT_BY_ID.has(id)) {
		throw new ApiError(
			400,
			'invalid_model',
			`model "${id}" is not supported; see GET /v1/models`,
			param,
		);
	}
}

/** @param {Record<string, any>} body @returns {string} the model that will answer */
function resolveModel(body) {
	const { model, models, preset } = body;
	if (models) {
		if (models.length < 1 || models.length > 5) {
			throw invalidParameter(`models must list 1 to 5 models, got ${models.length}`, 'models');
		}
		for (const id of models) knownModel(id, 'models');
	}
	if (model) knownModel(model, 'model');
	if (preset && !PRESETS[preset]) {
		throw new ApiError(
			400,
			'invalid_model',
			`preset "${preset}" is not supported; use fast, low, medium, high or xhigh`,
			'preset',
		);
	}
	const chosen = models?.[0] ?? model ?? (preset ? PRESETS[preset] : null);
	if (!chosen) {
		throw new ApiError(
			400,
			'invalid_request',
			'one of model, models or preset is required',
			'model',
		);
	}
	const explicit = [...(models ?? []), ...(model ? [model] : [])];
	if (explicit.some((id) => id.startsWith('anthropic/')) && !body.max_output_tokens) {
		throw invalidParameter(
			'max_output_tokens is required for anthropic models',
			'max_output_tokens',
		);
	}
	return chosen;
}

/** @param {Record<string, any>} tool */
function checkWebSearch(tool) {
	const filters = tool.filters ?? {};
	const options = searchFilters(filters, filters.search_domain_filter, 'search_domain_filter');
	oneOf('search_context_size', tool.search_context_size, CONTEXT_SIZES);
	range('max_tokens', tool.max_tokens, 1, Infinity);
	range('max_tokens_per_page', tool.max_tokens_per_page, 1, Infinity);
	const loc = tool.user_location ?? {};
	range('latitude', loc.latitude, -90, 90);
	range('longitude', loc.longitude, -180, 180);
	return options;
}

/** @param {Record<string, any>} format */
function checkResponseFormat(format) {
	if (format.type !== 'json_schema') {
		throw invalidParameter('response_format.type must be "json_schema"', 'type');
	}
	const js = format.json_schema;
	if (!js || !isObject(js.schema)) {
		throw invalidParameter('response_format.json_schema.schema is required', 'schema');
	}
	if (js.name !== undefined && js.name !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(js.name)) {
		throw invalidParameter(
			'response_format.json_schema.name must be 1-64 letters, digits, _ or -',
			'name',
		);
	}
	return js.schema;
}

/** @param {unknown} choice */
function checkToolChoice(choice) {
	if (choice === undefined || choice === null) return;
	if (
		typeof choice === 'string'
			? TOOL_CHOICES.includes(choice)
			: isObject(choice) && typeof choice.type === 'string'
	) {
		return;
	}
	throw invalidParameter(
		'tool_choice must be "auto", "none", "required" or {"type": ...}',
		'tool_choice',
	);
}

/** Go's wording for a body that is not JSON at all. @param {string} raw */
function goSyntaxError(raw) {
	const text = raw.trim();
	if (!text) return 'EOF';
	if (!/^[{["\d tfn-]/.test(text))
		return `invalid character '${text[0]}' looking for beginning of value`;
	return 'unexpected EOF';
}

/**
 * Whether the model uses web search. Without a tool_choice (docs-only), offering the tool lets the
 * model decide. Recorded `fast` runs searched for plain questions, and the official migration maps
 * Sonar (which always searched) to a preset or perplexity/sonar with the tool, so those search for
 * any prompt; any other model searches when the prompt reads like a question (an assumption: the
 * real decision is the model's).
 * @param {Record<string, any>} body
 * @param {string} model
 * @param {boolean} offered
 */
function wantsSearch(body, model, offered) {
	const choice = body.tool_choice;
	if (body.max_tool_calls === 0 || choice === 'none') return false;
	if (isObject(choice) ? choice.type === 'web_search' : choice === 'required' && offered) {
		return true;
	}
	if (!offered) return false;
	if (body.preset || model === 'perplexity/sonar') return true;
	return looksLikeQuestion(promptOf(body) ?? '');
}

/**
 * @param {string} raw
 * @param {unknown} body parsed body, or undefined when it did not parse
 * @param {AgentRules} rules
 * @returns {AgentSpec}
 */
function validateAgent(raw, body, rules) {
	if (body === undefined) throw bodyError(goSyntaxError(raw), 'body');
	if (body === null) body = {}; // Go decodes a JSON null into an empty struct
	if (!isObject(body)) {
		const t = Array.isArray(body) ? 'array' : body === null ? 'null' : typeof body;
		throw bodyError(
			`json: cannot unmarshal ${t} into Go value of type agent.ResponsesRequest`,
			'body',
		);
	}
	decode(body, REQUEST, 'ResponsesRequest', 'body', rules);

	checkInput(body);
	const images = imagesOf(body.input, 'agent');
	const model = resolveModel(body);
	range('max_output_tokens', body.max_output_tokens, 1, Infinity);
	range('temperature', body.temperature, 0, 2);
	range('top_p', body.top_p, 0, 1);
	oneOf('effort', body.reasoning?.effort, EFFORTS);
	const schema = body.response_format ? checkResponseFormat(body.response_format) : null;
	const tools = /** @type {Record<string, any>[] | undefined} */ (body.tools ?? undefined);
	const webTool = tools?.find((t) => t.type === 'web_search') ?? null;
	const filters = webTool
		? checkWebSearch(webTool)
		: searchFilters({}, undefined, 'search_domain_filter');
	checkToolChoice(body.tool_choice);
	range('max_tool_calls', body.max_tool_calls, 0, Infinity);
	range('max_steps', body.max_steps, 1, 10);
	if (body.stream && body.background) {
		throw invalidParameter('background cannot be combined with stream', 'background');
	}

	// A preset bundles web search unless the request brings its own tool list.
	const offered = tools ? webTool !== null : Boolean(body.preset);
	return {
		model,
		prompt: promptOf(body) ?? '',
		inputChars: inputChars(body),
		search: wantsSearch(body, model, offered),
		searchOptions: { ...filters, mode: 'web' },
		schema,
		maxOutputTokens: body.max_output_tokens ? Math.max(16, body.max_output_tokens) : null,
		effort: body.reasoning?.effort ?? null,
		stream: body.stream === true,
		background: body.background === true,
		preset: body.preset ?? null,
		images,
		// What the recorded bodies echo, with the recorded defaults for fields not sent.
		echo: {
			background: body.background === true,
			frequency_penalty: 0,
			instructions: body.instructions ?? null,
			max_output_tokens: body.max_output_tokens ?? null,
			max_tool_calls: body.max_tool_calls ?? null,
			metadata: {},
			parallel_tool_calls: body.parallel_tool_calls ?? true,
			presence_penalty: 0,
			previous_response_id: body.previous_response_id ?? null,
			prompt_cache_key: null,
			reasoning: body.reasoning ?? null,
			safety_identifier: null,
			store: body.store ?? false,
			temperature: body.temperature ?? 1,
			text: { format: schema ? { type: 'json_schema' } : { type: 'text' } },
			tool_choice: body.tool_choice ?? 'auto',
			tools: tools ?? [],
			top_logprobs: 0,
			top_p: body.top_p ?? 1,
			truncation: '',
			user: null,
		},
	};
}

module.exports = { validateAgent };
