// @ts-check
'use strict';

const { tokens } = require('./answers');
const { ApiError, ValidationFailure, invalidParameter } = require('./errors');
const { CONTEXTUALIZED_EMBEDDING_MODELS, EMBEDDING_MODELS } = require('./models');
const { isObject } = require('./prompt');
const { BAD, detail, int, str, literal } = require('./validate-sonar');

/**
 * POST /v1/embeddings and POST /v1/contextualizedembeddings. Perplexity publishes both with
 * FastAPI's 422 `HTTPValidationError`, so values outside the published schemas (`EmbeddingsRequest`,
 * `ContextualizedEmbeddingsRequest`: required fields, types, enums, minimum/maximum, minLength,
 * minItems/maxItems) answer a 422 listing every failing field in pydantic's words (A26). An
 * unknown field is refused before that with the Agent API's 400 envelope (A25). The limits the
 * schemas state only in words (dimensions per model, tokens per input and per request, chunks per
 * request) answer 400 `invalid_parameter` afterwards (A27).
 *
 * @typedef {import('./errors').Detail} Detail
 * @typedef {import('./validate-sonar').Coerce} Coerce
 * @typedef {import('./models').EmbeddingModel} EmbeddingModel
 * @typedef {{
 *   model: string, size: number, dimensions: number, format: 'base64_int8' | 'base64_binary',
 *   documents: string[][], tokens: number,
 * }} EmbeddingsSpec  `documents`: one per text for plain embeddings, the chunks for contextualized
 */

/** The published limits, from the schemas' descriptions and constraints. */
const LIMITS = {
	/** `maxItems` of `input` (texts, or documents) */
	inputs: 512,
	/** "Total chunks across all documents must not exceed 16,000." */
	chunks: 16_000,
	/** "Each input must not exceed 32K tokens" / "Total tokens per document must not exceed 32K" (A27: K = 1024) */
	tokensPerInput: 32_768,
	/** "All inputs in a single request must not exceed 120,000 tokens combined." */
	tokensPerRequest: 120_000,
	/** `minimum` and `maximum` of `dimensions` */
	minDimensions: 128,
	maxDimensions: 2560,
};

const FORMATS = /** @type {const} */ (['base64_int8', 'base64_binary']);

/** @type {Coerce} */
function text(v, loc, errors) {
	const s = str(v, loc, errors);
	if (s === BAD) return BAD;
	if (s === '') {
		errors.push(
			detail('string_too_short', loc, 'String should have at least 1 character', s, {
				min_length: 1,
			}),
		);
		return BAD;
	}
	return s;
}

/**
 * A list with `minItems` and `maxItems`, each item checked by `item`.
 * @param {number} minItems
 * @param {number} maxItems
 * @param {Coerce} item
 * @returns {Coerce}
 */
const listOf = (minItems, maxItems, item) => (v, loc, errors) => {
	if (!Array.isArray(v)) {
		errors.push(detail('list_type', loc, 'Input should be a valid list', v));
		return BAD;
	}
	const out = v.map((entry, i) => item(entry, [...loc, i], errors));
	if (out.includes(BAD)) return BAD;
	const ctx = { field_type: 'List', actual_length: out.length };
	if (out.length < minItems) {
		const what = minItems === 1 ? 'item' : 'items';
		errors.push(
			detail(
				'too_short',
				loc,
				`List should have at least ${minItems} ${what} after validation, not ${out.length}`,
				v,
				{ ...ctx, min_length: minItems },
			),
		);
		return BAD;
	}
	if (out.length > maxItems) {
		errors.push(
			detail(
				'too_long',
				loc,
				`List should have at most ${maxItems} items after validation, not ${out.length}`,
				v,
				{ ...ctx, max_length: maxItems },
			),
		);
		return BAD;
	}
	return out;
};

const texts = listOf(1, LIMITS.inputs, text);

/**
 * `input` of POST /v1/embeddings: a string or a list of strings, each of them one document of one
 * text. Only the branch of the union that matches the JSON kind reports its errors (A26).
 * @type {Coerce}
 */
function textOrTexts(v, loc, errors) {
	if (typeof v === 'string') {
		const s = text(v, [...loc, 'str'], errors);
		return s === BAD ? BAD : [[s]];
	}
	if (Array.isArray(v)) {
		const list = texts(v, [...loc, 'list[str]'], errors);
		return list === BAD ? BAD : /** @type {string[]} */ (list).map((t) => [t]);
	}
	errors.push(detail('string_type', [...loc, 'str'], 'Input should be a valid string', v));
	errors.push(detail('list_type', [...loc, 'list[str]'], 'Input should be a valid list', v));
	return BAD;
}

/** `input` of POST /v1/contextualizedembeddings: documents, each a list of chunks. */
const documents = listOf(1, LIMITS.inputs, listOf(1, Infinity, text));

/** @type {Coerce} */
function dimensions(v, loc, errors) {
	const n = int(v, loc, errors);
	if (n === BAD) return BAD;
	const { minDimensions: ge, maxDimensions: le } = LIMITS;
	if (/** @type {number} */ (n) < ge) {
		errors.push(
			detail('greater_than_equal', loc, `Input should be greater than or equal to ${ge}`, n, {
				ge,
			}),
		);
		return BAD;
	}
	if (/** @type {number} */ (n) > le) {
		errors.push(
			detail('less_than_equal', loc, `Input should be less than or equal to ${le}`, n, { le }),
		);
		return BAD;
	}
	return n;
}

/**
 * @param {string} raw
 * @param {unknown} body
 * @returns {Record<string, any>}
 */
function requireObjectBody(raw, body) {
	if (body === undefined) {
		throw new ValidationFailure([
			raw.trim()
				? detail('json_invalid', ['body', 0], 'JSON decode error', {}, { error: 'Expecting value' })
				: detail('missing', ['body'], 'Field required', null),
		]);
	}
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
	return body;
}

/**
 * @param {Record<string, any>} body
 * @param {readonly string[]} fields
 */
function refuseUnknownFields(body, fields) {
	const unknown = Object.keys(body).find((key) => !fields.includes(key));
	if (unknown !== undefined) {
		throw new ApiError(
			400,
			'invalid_request',
			`invalid request body: json: unknown field "${unknown}"`,
			unknown,
		);
	}
}

/**
 * The checks both endpoints share, for the input coercer of each.
 * @param {string} raw
 * @param {unknown} parsed
 * @param {Coerce} input
 * @param {Record<string, EmbeddingModel>} models
 * @returns {EmbeddingsSpec}
 */
function validate(raw, parsed, input, models) {
	const body = requireObjectBody(raw, parsed);
	refuseUnknownFields(body, ['input', 'model', 'dimensions', 'encoding_format']);

	/** @type {Detail[]} */
	const errors = [];
	for (const key of ['input', 'model']) {
		if (body[key] === undefined)
			errors.push(detail('missing', ['body', key], 'Field required', body));
	}
	/** @type {Record<string, Coerce>} */
	const fields = {
		input,
		model: literal(Object.keys(models)),
		dimensions,
		encoding_format: literal(FORMATS),
	};
	/** @type {Record<string, any>} */
	const b = {};
	for (const [key, coerce] of Object.entries(fields)) {
		const v = body[key];
		if (v === undefined || (v === null && key !== 'input' && key !== 'model')) continue;
		b[key] = coerce(v, ['body', key], errors);
	}
	if (errors.length) throw new ValidationFailure(errors);

	const { dimensions: size } = models[b.model];
	if (b.dimensions !== undefined && b.dimensions > size) {
		throw invalidParameter(
			`dimensions must be between ${LIMITS.minDimensions} and ${size} for ${b.model}, got ${b.dimensions}`,
			'dimensions',
		);
	}
	/** @type {string[][]} */
	const docs = b.input;
	const chunks = docs.reduce((n, doc) => n + doc.length, 0);
	if (chunks > LIMITS.chunks) {
		throw invalidParameter(
			`input has ${chunks} chunks; at most ${LIMITS.chunks} are allowed across all documents`,
			'input',
		);
	}
	let total = 0;
	docs.forEach((doc, index) => {
		const count = doc.reduce((n, t) => n + tokens(t.length), 0);
		if (count > LIMITS.tokensPerInput) {
			throw invalidParameter(
				`input ${index} has ${count} tokens; each input may have at most ${LIMITS.tokensPerInput}`,
				'input',
			);
		}
		total += count;
	});
	if (total > LIMITS.tokensPerRequest) {
		throw invalidParameter(
			`input has ${total} tokens in all; a request may have at most ${LIMITS.tokensPerRequest}`,
			'input',
		);
	}
	return {
		model: b.model,
		size,
		dimensions: b.dimensions ?? size,
		format: b.encoding_format ?? 'base64_int8',
		documents: docs,
		tokens: total,
	};
}

/** @param {string} raw @param {unknown} body */
const validateEmbeddings = (raw, body) => validate(raw, body, textOrTexts, EMBEDDING_MODELS);

/** @param {string} raw @param {unknown} body */
const validateContextualizedEmbeddings = (raw, body) =>
	validate(raw, body, documents, CONTEXTUALIZED_EMBEDDING_MODELS);

module.exports = { validateEmbeddings, validateContextualizedEmbeddings, LIMITS };
