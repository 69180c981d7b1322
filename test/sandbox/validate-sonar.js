// @ts-check
'use strict';

const { ApiError, ValidationFailure } = require('./errors');
const { SONAR_MODELS } = require('./models');
const { isObject, promptOf, inputChars } = require('./prompt');
const { range, oneOf, searchFilters } = require('./validate-common');
const { imagesOf } = require('./images');

/**
 * The Sonar service is FastAPI + pydantic v2 in lax mode: unknown fields are ignored, numeric
 * strings are coerced, wrong types give a 422 listing every failing field; only then do the
 * service's own checks answer 400 in the error envelope.
 *
 * @typedef {import('./errors').Detail} Detail
 * @typedef {import('./search').SearchOptions} SearchOptions
 * @typedef {(value: unknown, loc: (string|number)[], errors: Detail[]) => unknown} Coerce
 * @typedef {{
 *   model: string, prompt: string, inputChars: number, search: boolean, searchOptions: SearchOptions,
 *   schema: Record<string, any> | null, maxTokens: number | null, stream: boolean,
 *   returnImages: boolean, returnRelated: boolean, contextSize: string,
 *   images: import('./images').Image[],
 * }} SonarSpec
 */

/** Marks a failed coercion; distinct from every JSON value. */
const BAD = Symbol('bad');

/**
 * @param {string} type
 * @param {(string|number)[]} loc
 * @param {string} msg
 * @param {unknown} input
 * @param {Record<string, unknown>} [ctx]
 * @returns {Detail}
 */
const detail = (type, loc, msg, input, ctx) =>
	ctx ? { type, loc, msg, input, ctx } : { type, loc, msg, input };

/** @type {Coerce} */
function float(v, loc, errors) {
	if (typeof v === 'number') return v;
	if (typeof v === 'boolean') return Number(v);
	if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
	errors.push(
		typeof v === 'string'
			? detail(
					'float_parsing',
					loc,
					'Input should be a valid number, unable to parse string as a number',
					v,
				)
			: detail('float_type', loc, 'Input should be a valid number', v),
	);
	return BAD;
}

/** @type {Coerce} */
function int(v, loc, errors) {
	if (typeof v === 'number' && Number.isInteger(v)) return v;
	if (typeof v === 'boolean') return Number(v);
	if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v);
	if (typeof v === 'number') {
		errors.push(
			detail(
				'int_from_float',
				loc,
				'Input should be a valid integer, got a number with a fractional part',
				v,
			),
		);
	} else if (typeof v === 'string') {
		errors.push(
			detail(
				'int_parsing',
				loc,
				'Input should be a valid integer, unable to parse string as an integer',
				v,
			),
		);
	} else errors.push(detail('int_type', loc, 'Input should be a valid integer', v));
	return BAD;
}

const TRUTHY = ['true', '1', 'yes', 'y', 'on', 't'];
const FALSY = ['false', '0', 'no', 'n', 'off', 'f'];

/** @type {Coerce} */
function bool(v, loc, errors) {
	if (typeof v === 'boolean') return v;
	if (v === 0 || v === 1) return v === 1;
	if (typeof v === 'string') {
		const s = v.trim().toLowerCase();
		if (TRUTHY.includes(s)) return true;
		if (FALSY.includes(s)) return false;
		errors.push(
			detail('bool_parsing', loc, 'Input should be a valid boolean, unable to interpret input', v),
		);
	} else errors.push(detail('bool_type', loc, 'Input should be a valid boolean', v));
	return BAD;
}

/** @type {Coerce} */
function str(v, loc, errors) {
	if (typeof v === 'string') return v;
	errors.push(detail('string_type', loc, 'Input should be a valid string', v));
	return BAD;
}

/** @type {Coerce} */
function strList(v, loc, errors) {
	if (!Array.isArray(v)) {
		errors.push(detail('list_type', loc, 'Input should be a valid list', v));
		return BAD;
	}
	const out = v.map((item, i) => str(item, [...loc, i], errors));
	return out.includes(BAD) ? BAD : out;
}

/**
 * @param {unknown} v
 * @param {(string|number)[]} loc
 * @param {Detail[]} errors
 * @returns {v is Record<string, any>}
 */
function requireObject(v, loc, errors) {
	if (isObject(v)) return true;
	errors.push(
		detail(
			'model_attributes_type',
			loc,
			'Input should be a valid dictionary or object to extract fields from',
			v,
		),
	);
	return false;
}

/**
 * @param {readonly string[]} allowed
 * @returns {Coerce}
 */
const literal = (allowed) => (v, loc, errors) => {
	if (typeof v === 'string' && allowed.includes(v)) return v;
	const expected = allowed
		.map((a) => `'${a}'`)
		.join(', ')
		.replace(/, ([^,]*)$/, ' or $1');
	errors.push(detail('literal_error', loc, `Input should be ${expected}`, v, { expected }));
	return BAD;
};

const ROLES = ['system', 'user', 'assistant', 'tool'];
const ROLE_LIST = "'system', 'user', 'assistant' or 'tool'";

/**
 * An `image_url` chunk: the SDK's `image_url: URLInput | string`, so a string or `{url}`.
 * @param {Record<string, any>} part
 * @param {(string|number)[]} loc
 * @param {Detail[]} errors
 */
function imageChunk(part, loc, errors) {
	const at = [...loc, 'image_url'];
	const value = part.image_url;
	if (value === undefined) errors.push(detail('missing', at, 'Field required', part));
	else if (typeof value === 'string') return;
	else if (!isObject(value)) {
		errors.push(detail('model_type', [...at, 'URL'], 'Input should be a valid dictionary', value));
		errors.push(detail('string_type', [...at, 'str'], 'Input should be a valid string', value));
	} else if (typeof value.url !== 'string') {
		errors.push(
			detail('string_type', [...at, 'URL', 'url'], 'Input should be a valid string', value.url),
		);
	}
}

/** @type {Coerce} */
function messages(v, loc, errors) {
	if (!Array.isArray(v)) {
		errors.push(detail('list_type', loc, 'Input should be a valid list', v));
		return BAD;
	}
	v.forEach((m, i) => {
		const at = [...loc, i];
		if (!requireObject(m, at, errors)) return;
		if (!('role' in m)) errors.push(detail('missing', [...at, 'role'], 'Field required', m));
		else if (!ROLES.includes(m.role)) {
			errors.push(
				detail('enum', [...at, 'role'], `Input should be ${ROLE_LIST}`, m.role, {
					expected: ROLE_LIST,
				}),
			);
		}
		if (!('content' in m)) errors.push(detail('missing', [...at, 'content'], 'Field required', m));
		else if (m.content !== null && typeof m.content !== 'string' && !Array.isArray(m.content)) {
			errors.push(
				detail(
					'string_type',
					[...at, 'content', 'str'],
					'Input should be a valid string',
					m.content,
				),
			);
			errors.push(
				detail(
					'list_type',
					[...at, 'content', 'list[...]'],
					'Input should be a valid list',
					m.content,
				),
			);
		} else if (Array.isArray(m.content)) {
			m.content.forEach((/** @type {unknown} */ part, /** @type {number} */ j) => {
				const pat = [...at, 'content', 'list[...]', j];
				if (!requireObject(part, pat, errors)) return;
				if (typeof part.type !== 'string') {
					errors.push(detail('missing', [...pat, 'type'], 'Field required', part));
				} else if (part.type === 'image_url') imageChunk(part, pat, errors);
			});
		}
	});
	return v;
}

/** @type {Coerce} */
function stop(v, loc, errors) {
	if (typeof v === 'string') return v;
	if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v;
	errors.push(detail('string_type', [...loc, 'str'], 'Input should be a valid string', v));
	errors.push(detail('list_type', [...loc, 'list[str]'], 'Input should be a valid list', v));
	return BAD;
}

/** @type {Coerce} */
function responseFormat(v, loc, errors) {
	if (!requireObject(v, loc, errors)) return BAD;
	const tag = v.type;
	if (tag === 'text') return v;
	if (tag !== 'json_schema') {
		errors.push(
			detail(
				'union_tag_invalid',
				loc,
				`Input tag '${tag}' found using 'type' does not match any of the expected tags: 'text', 'json_schema'`,
				v,
				{ discriminator: "'type'", tag: String(tag), expected_tags: "'text', 'json_schema'" },
			),
		);
		return BAD;
	}
	const at = [...loc, 'json_schema', 'json_schema'];
	const js = v.json_schema;
	if (js === undefined) {
		errors.push(detail('missing', at, 'Field required', v));
		return BAD;
	}
	if (!requireObject(js, at, errors)) return BAD;
	if (!('schema' in js)) errors.push(detail('missing', [...at, 'schema'], 'Field required', js));
	else if (!isObject(js.schema))
		errors.push(
			detail('dict_type', [...at, 'schema'], 'Input should be a valid dictionary', js.schema),
		);
	return v;
}

/**
 * @param {Record<string, Coerce>} fields
 * @returns {Coerce}
 */
const nested = (fields) => (v, loc, errors) => {
	if (!requireObject(v, loc, errors)) return BAD;
	/** @type {Record<string, unknown>} */
	const out = {};
	for (const [key, coerce] of Object.entries(fields)) {
		if (v[key] === undefined || v[key] === null) continue;
		out[key] = coerce(v[key], [...loc, key], errors);
	}
	return out;
};

/** @type {Record<string, Coerce>} */
const FIELDS = {
	model: str,
	messages,
	max_tokens: int,
	stream: bool,
	stop,
	temperature: float,
	top_p: float,
	top_k: int,
	presence_penalty: float,
	frequency_penalty: float,
	response_format: responseFormat,
	web_search_options: nested({
		search_context_size: literal(['low', 'medium', 'high']),
		search_type: literal(['fast', 'pro', 'auto']),
		user_location: nested({
			latitude: float,
			longitude: float,
			country: str,
			city: str,
			region: str,
		}),
		image_results_enhanced_relevance: bool,
	}),
	search_mode: str,
	return_images: bool,
	return_related_questions: bool,
	enable_search_classifier: bool,
	disable_search: bool,
	search_domain_filter: strList,
	search_language_filter: strList,
	search_recency_filter: str,
	search_after_date_filter: str,
	search_before_date_filter: str,
	last_updated_before_filter: str,
	last_updated_after_filter: str,
	image_format_filter: strList,
	image_domain_filter: strList,
	stream_mode: literal(['full', 'concise']),
	reasoning_effort: str,
	language_preference: str,
};

const ORDER =
	'After the (optional) system message(s), user and assistant roles should be alternating.';

/** @param {Record<string, any>[]} list */
function checkOrder(list) {
	/** @param {string} message */
	const fail = (message) => new ApiError(400, 'invalid_message', message, 'messages');
	if (list.length === 0) throw fail('messages must contain at least one message');
	let i = 0;
	while (i < list.length && list[i].role === 'system') i++;
	// A tool result answers the assistant turn before it, so it stands where a user turn would.
	for (let expectUser = true; i < list.length; i++, expectUser = !expectUser) {
		const role = list[i].role === 'tool' ? 'user' : list[i].role;
		if (role !== (expectUser ? 'user' : 'assistant')) throw fail(ORDER);
	}
	const last = list[list.length - 1].role;
	if (last !== 'user' && last !== 'tool') throw fail('Last message must have role `user`.');
}

/**
 * @param {string} raw
 * @param {unknown} body parsed body, or undefined when it did not parse
 * @returns {SonarSpec}
 */
function validateSonar(raw, body) {
	if (body === undefined) {
		throw new ValidationFailure([
			raw.trim()
				? detail('json_invalid', ['body', 0], 'JSON decode error', {}, { error: 'Expecting value' })
				: detail('missing', ['body'], 'Field required', null),
		]);
	}
	/** @type {Detail[]} */
	const errors = [];
	if (!isObject(body)) {
		throw new ValidationFailure([
			body === null
				? detail('missing', ['body'], 'Field required', null)
				: detail(
						'model_attributes_type',
						['body'],
						'Input should be a valid dictionary or object to extract fields from',
						body,
					),
		]);
	}
	/** @type {Record<string, any>} */
	const b = {};
	for (const key of ['model', 'messages']) {
		if (body[key] === undefined)
			errors.push(detail('missing', ['body', key], 'Field required', body));
	}
	for (const [key, coerce] of Object.entries(FIELDS)) {
		const v = body[key];
		if (v === undefined || (v === null && key !== 'model' && key !== 'messages')) continue;
		b[key] = coerce(v, ['body', key], errors);
	}
	if (errors.length) throw new ValidationFailure(errors);

	if (!SONAR_MODELS[b.model]) {
		throw new ApiError(
			400,
			'invalid_model',
			`Invalid model '${b.model}'. Permitted models can be found in the documentation at https://docs.perplexity.ai/getting-started/models.`,
			'model',
		);
	}
	checkOrder(b.messages);
	const images = imagesOf(b.messages, 'sonar');
	range('max_tokens', b.max_tokens, 1, 128000);
	range('temperature', b.temperature, 0, 2);
	range('top_p', b.top_p, 0, 1);
	range('top_k', b.top_k, 0, 2048);
	range('presence_penalty', b.presence_penalty, 0, 2);
	range('frequency_penalty', b.frequency_penalty, 0, Infinity, { exclusiveMin: true });
	oneOf('search_mode', b.search_mode, ['web', 'academic', 'sec']);
	oneOf('reasoning_effort', b.reasoning_effort, ['minimal', 'low', 'medium', 'high']);
	const filters = searchFilters(b, b.search_domain_filter, 'search_domain_filter');
	const wso = b.web_search_options ?? {};
	const loc = wso.user_location ?? {};
	range('latitude', loc.latitude, -90, 90);
	range('longitude', loc.longitude, -180, 180);

	return {
		model: b.model,
		prompt: promptOf(body) ?? '',
		inputChars: inputChars(body),
		search: b.disable_search !== true,
		searchOptions: { ...filters, mode: b.search_mode ?? 'web' },
		schema: b.response_format?.type === 'json_schema' ? b.response_format.json_schema.schema : null,
		maxTokens: b.max_tokens ?? null,
		stream: b.stream === true,
		returnImages: b.return_images === true,
		returnRelated: b.return_related_questions === true,
		contextSize: wso.search_context_size ?? 'low',
		images,
	};
}

// The coercions are pydantic's; the Search API is a FastAPI service too (validate-search.js).
module.exports = { validateSonar, BAD, detail, int, bool, str, strList, literal };
