// @ts-check
'use strict';

const crypto = require('crypto');
const { CONTEXTUALIZED_EMBEDDING_MODELS, EMBEDDING_MODELS, price } = require('./models');
const { sendJson } = require('./respond');
const { validateContextualizedEmbeddings, validateEmbeddings } = require('./validate-embeddings');

/**
 * POST /v1/embeddings and POST /v1/contextualizedembeddings, in the published response shapes
 * (`EmbeddingsResponse`, `ContextualizedEmbeddingsResponse`). Vectors are derived from the text
 * (A28), so a test can tell which text a vector belongs to:
 *
 * - the vector of a text is the first `dimensions` bytes of SHAKE256(text), read as signed int8;
 * - a chunk of a contextualized document starts with the same 8 bytes (its text's
 *   fingerprint); its other bytes come from SHAKE256 of a digest of the whole document and the
 *   chunk, so the same chunk in another document gets another vector;
 * - a smaller `dimensions` gives a prefix of the full vector, as Matryoshka truncation does;
 * - `base64_binary` packs one bit per dimension, 1 where the int8 value is above 0, the first
 *   dimension in the highest bit, the last byte padded with 0 bits.
 *
 * @typedef {import('./respond').Exchange} Exchange
 * @typedef {import('./validate-embeddings').EmbeddingsSpec} EmbeddingsSpec
 * @typedef {import('./models').EmbeddingModel} EmbeddingModel
 */

/** How many leading bytes identify the text, whatever the document. */
const FINGERPRINT = 8;

/** @param {string} text @param {number} length */
const shake = (text, length) =>
	crypto.createHash('shake256', { outputLength: length }).update(text).digest();

/**
 * What a chunk's vector takes from its document: a digest of all its chunks, made once per
 * document (a document can have thousands of chunks).
 * @param {string[]} chunks
 */
const documentKey = (chunks) => shake(JSON.stringify(chunks), 32).toString('hex');

/**
 * The signed int8 values of a text's vector.
 * @param {string} text
 * @param {number} dimensions
 * @param {string | null} context the documentKey of its document, for contextualized embeddings
 * @returns {Int8Array}
 */
function vectorOf(text, dimensions, context) {
	const bytes =
		context === null
			? shake(text, dimensions)
			: Buffer.concat([
					shake(text, FINGERPRINT),
					shake(`${context}\u0000${text}`, dimensions).subarray(FINGERPRINT),
				]);
	return new Int8Array(bytes.buffer, bytes.byteOffset, dimensions);
}

/**
 * @param {Int8Array} vector
 * @param {EmbeddingsSpec['format']} format
 */
function encode(vector, format) {
	if (format === 'base64_int8') {
		return Buffer.from(vector.buffer, vector.byteOffset, vector.length).toString('base64');
	}
	const packed = Buffer.alloc(Math.ceil(vector.length / 8));
	vector.forEach((value, i) => {
		if (value > 0) packed[i >> 3] |= 0x80 >> (i & 7);
	});
	return packed.toString('base64');
}

/**
 * @param {EmbeddingsSpec} spec
 * @param {string} text
 * @param {number} index
 * @param {string | null} context
 */
const embeddingObject = (spec, text, index, context) => ({
	object: 'embedding',
	index,
	embedding: encode(vectorOf(text, spec.dimensions, context), spec.format),
});

/**
 * @param {EmbeddingsSpec} spec
 * @param {Record<string, EmbeddingModel>} models
 */
function usage(spec, models) {
	const cost = price(spec.tokens, models[spec.model].price);
	return {
		prompt_tokens: spec.tokens,
		total_tokens: spec.tokens,
		cost: { input_cost: cost, total_cost: cost, currency: 'USD' },
	};
}

/**
 * @param {Exchange} x
 * @param {unknown} _state
 * @param {string} raw
 * @param {unknown} body
 */
function createEmbeddings(x, _state, raw, body) {
	const spec = validateEmbeddings(raw, body);
	sendJson(x, 200, {
		object: 'list',
		data: spec.documents.map(([text], index) => embeddingObject(spec, text, index, null)),
		model: spec.model,
		usage: usage(spec, EMBEDDING_MODELS),
	});
}

/**
 * @param {Exchange} x
 * @param {unknown} _state
 * @param {string} raw
 * @param {unknown} body
 */
function createContextualizedEmbeddings(x, _state, raw, body) {
	const spec = validateContextualizedEmbeddings(raw, body);
	sendJson(x, 200, {
		object: 'list',
		data: spec.documents.map((chunks, index) => {
			const context = documentKey(chunks);
			return {
				object: 'list',
				index,
				data: chunks.map((chunk, i) => embeddingObject(spec, chunk, i, context)),
			};
		}),
		model: spec.model,
		usage: usage(spec, CONTEXTUALIZED_EMBEDDING_MODELS),
	});
}

module.exports = { createEmbeddings, createContextualizedEmbeddings };
