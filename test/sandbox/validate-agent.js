// @ts-check
'use strict';

const { ApiError, invalidParameter } = require('./errors');
const { AGENT_BY_ID, PRESETS } = require('./models');
const { isObject, promptOf, inputChars } = require('./prompt');
const { stripDirectives } = require('./directives');
const { range, oneOf, searchFilters } = require('./validate-common');

/**
 * The Agent API is a Go service decoding with DisallowUnknownFields: the first problem in document
 * order (an unknown field at any depth, or a wrongly typed value) is reported in Go's words, before
 * any semantic check runs. This module reproduces that two-phase behaviour.
 *
 * @typedef {import('./search').SearchOptions} SearchOptions
 * @typedef {{
 *   t: 'string' | 'number' | 'int' | 'bool' | 'any' | 'loose' | 'map' | 'object' | 'array' | 'text' | 'tagged',
 *   go?: string, fields?: Record<string, Node>, items?: Node, tags?: Record<string, Node>,
 *   what?: string, fallback?: string, array?: Node,
 * }} Node
 * @typedef {{
 *   model: string, prompt: string, inputChars: number, search: boolean, searchOptions: SearchOptions,
 *   schema: Record<string, any> | null, maxOutputTokens: number | null, effort: string | null,
 *   stream: boolean, background: boolean, echo: Record<string, unknown>,
 * }} AgentSpec
 */

/** @type {Node} */ const STR = { t: 'string' };
/** @type {Node} */ const NUM = { t: 'number' };
/** @type {Node} */ const INT = { t: 'int' };
/** @type {Node} */ const BOOL = { t: 'bool' };
/** @type {Node} */ const ANY = { t: 'any' };
/** Tools other than web_search are accepted loosely: any object, fields unchecked. */
/** @type {Node} */ const LOOSE = { t: 'loose' };
/** @type {(go: string, fields: Record<string, Node>) => Node} */
const obj = (go, fields) => ({ t: 'object', go, fields });
/** @type {(items: Node) => Node} */
const arr = (items) => ({ t: 'array', items });

const contentPart = /** @type {Node} */ ({
	t: 'tagged',
	go: 'InputContentPart',
	what: 'content part',
	tags: {
		input_text: obj('InputContentPart', { type: STR, text: STR }),
		input_image: obj('InputContentPart', { type: STR, image_url: STR }),
	},
});

const inputItem = /** @type {Node} */ ({
	t: 'tagged',
	go: 'InputItem',
	what: 'input item',
	fallback: 'message',
	tags: {
		message: obj('InputMessage', {
			type: STR,
			role: STR,
			content: { t: 'text', what: 'content', array: arr(contentPart) },
		}),
		function_call: obj('FunctionCallInput', {
			type: STR,
			call_id: STR,
			name: STR,
			arguments: STR,
			thought_signature: STR,
		}),
		function_call_output: obj('FunctionCallOutputInput', {
			type: STR,
			call_id: STR,
			name: STR,
			output: STR,
			thought_signature: STR,
		}),
	},
});

const webSearchTool = obj('WebSearchTool', {
	type: STR,
	filters: obj('WebSearchFilters', {
		search_domain_filter: arr(STR),
		search_recency_filter: STR,
		search_after_date_filter: STR,
		search_before_date_filter: STR,
		last_updated_after_filter: STR,
		last_updated_before_filter: STR,
	}),
	search_context_size: STR,
	max_results: INT,
	max_tokens: INT,
	max_tokens_per_page: INT,
	user_location: obj('ToolUserLocation', {
		latitude: NUM,
		longitude: NUM,
		country: STR,
		region: STR,
		city: STR,
	}),
});

const REQUEST = obj('ResponsesRequest', {
	input: { t: 'text', what: 'input', array: arr(inputItem) },
	instructions: STR,
	model: STR,
	models: arr(STR),
	preset: STR,
	max_output_tokens: INT,
	temperature: NUM,
	top_p: NUM,
	reasoning: obj('ReasoningConfig', { effort: STR }),
	response_format: obj('ResponseFormat', {
		type: STR,
		json_schema: obj('JSONSchemaFormat', {
			name: STR,
			schema: { t: 'loose' },
			description: STR,
			strict: BOOL,
		}),
	}),
	tools: arr({
		t: 'tagged',
		go: 'Tool',
		what: 'tool',
		tags: {
			web_search: webSearchTool,
			fetch_url: LOOSE,
			finance_search: LOOSE,
			people_search: LOOSE,
			function: LOOSE,
			mcp: LOOSE,
		},
	}),
	tool_choice: ANY,
	parallel_tool_calls: BOOL,
	max_tool_calls: INT,
	max_steps: INT,
	language_preference: STR,
	stream: BOOL,
	background: BOOL,
	store: BOOL,
	previous_response_id: STR,
	metadata: { t: 'map' },
	truncation: STR,
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
		case 'map':
			return 'map[string]string';
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
 */
function decode(v, node, path, field) {
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
		case 'map':
			if (!isObject(v)) throw typeError(v, node, path, field);
			for (const [k, value] of Object.entries(v)) {
				if (typeof value !== 'string') throw typeError(value, STR, `${path}.${k}`, field);
			}
			return;
		case 'array':
			if (!Array.isArray(v)) throw typeError(v, node, path, field);
			for (const item of v) decode(item, /** @type {Node} */ (node.items), path, field);
			return;
		case 'text':
			// input and content have custom unmarshalers: a string or an array, nothing else
			if (typeof v === 'string') return;
			if (!Array.isArray(v)) {
				throw bodyError(`${node.what} must be a string or an array`, field);
			}
			decode(v, /** @type {Node} */ (node.array), path, field);
			return;
		case 'tagged': {
			const tags = /** @type {Record<string, Node>} */ (node.tags);
			if (!isObject(v)) throw bodyError(`each ${node.what} must be an object`, field);
			const tag = v.type ?? node.fallback;
			if (typeof tag !== 'string') throw bodyError(`${node.what} type is required`, 'type');
			const chosen = tags[tag];
			if (!chosen) throw bodyError(`unsupported ${node.what} type "${tag}"`, 'type');
			decode(v, chosen, path, field);
			return;
		}
		case 'object': {
			if (!isObject(v)) throw typeError(v, node, path, field);
			const fields = /** @type {Record<string, Node>} */ (node.fields);
			for (const key of Object.keys(v)) {
				const child = fields[key];
				if (!child) throw bodyError(`json: unknown field "${key}"`, key);
				decode(v[key], child, `${path}.${key}`, key);
			}
			return;
		}
	}
}

const ROLES = ['user', 'assistant', 'system', 'developer'];
const EFFORTS = ['minimal', 'low', 'medium', 'high', 'xhigh', 'max'];
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
	range('max_results', tool.max_results, 1, 50);
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
 * @param {string} raw
 * @param {unknown} body parsed body, or undefined when it did not parse
 * @returns {AgentSpec}
 */
function validateAgent(raw, body) {
	if (body === undefined) throw bodyError(goSyntaxError(raw), 'body');
	if (body === null) body = {}; // Go decodes a JSON null into an empty struct
	if (!isObject(body)) {
		const t = Array.isArray(body) ? 'array' : body === null ? 'null' : typeof body;
		throw bodyError(
			`json: cannot unmarshal ${t} into Go value of type agent.ResponsesRequest`,
			'body',
		);
	}
	decode(body, REQUEST, 'ResponsesRequest', 'body');

	checkInput(body);
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
	oneOf('truncation', body.truncation, ['auto', 'disabled']);
	if (body.metadata && Object.keys(body.metadata).length > 16) {
		throw invalidParameter('metadata can have at most 16 keys', 'metadata');
	}
	if (body.stream && body.background) {
		throw invalidParameter('background cannot be combined with stream', 'background');
	}

	const prompt = promptOf(body) ?? '';
	const choice = body.tool_choice;
	// A preset bundles web search unless the request brings its own tool list.
	const offered = tools ? webTool !== null : Boolean(body.preset);
	const disabled = body.max_tool_calls === 0 || choice === 'none';
	const forced = isObject(choice) ? choice.type === 'web_search' : choice === 'required' && offered;
	const search = !disabled && (forced || (offered && looksLikeQuestion(prompt)));

	return {
		model,
		prompt,
		inputChars: inputChars(body),
		search,
		searchOptions: { ...filters, maxResults: webTool?.max_results ?? null, mode: 'web' },
		schema,
		maxOutputTokens: body.max_output_tokens ? Math.max(16, body.max_output_tokens) : null,
		effort: body.reasoning?.effort ?? null,
		stream: body.stream === true,
		background: body.background === true,
		echo: {
			preset: body.preset ?? null,
			instructions: body.instructions ?? null,
			max_output_tokens: body.max_output_tokens ?? null,
			temperature: body.temperature ?? null,
			top_p: body.top_p ?? null,
			reasoning: body.reasoning ?? null,
			tools: tools ?? [],
			tool_choice: choice ?? 'auto',
			parallel_tool_calls: body.parallel_tool_calls ?? true,
			background: body.background === true,
			store: body.store ?? true,
			previous_response_id: body.previous_response_id ?? null,
			metadata: body.metadata ?? {},
		},
	};
}

module.exports = { validateAgent };
