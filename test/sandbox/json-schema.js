// @ts-check
'use strict';

/**
 * A small JSON Schema instance generator for structured output: required properties, types, enums,
 * consts, $ref, bounds, and arrays of one. Strings are filled from the answer by property name so
 * the document still reads like an answer to the question.
 * @typedef {{ answer: string, question: string, title: string, url: string, date: string }} Hints
 */

const { isObject } = require('./prompt');

const MAX_DEPTH = 8;

/**
 * @param {Record<string, any>} root
 * @param {string} ref
 */
function resolveRef(root, ref) {
	if (!ref.startsWith('#/')) return {};
	let node = /** @type {any} */ (root);
	for (const part of ref.slice(2).split('/')) {
		node = isObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
	}
	return isObject(node) ? node : {};
}

/** @param {Record<string, any>} schema */
function typeOf(schema) {
	const t = schema.type;
	if (Array.isArray(t)) return t.find((x) => x !== 'null') ?? 'null';
	if (typeof t === 'string') return t;
	if (isObject(schema.properties)) return 'object';
	if (isObject(schema.items) || Array.isArray(schema.items)) return 'array';
	return 'string';
}

/**
 * @param {string} key
 * @param {Record<string, any>} schema
 * @param {Hints} hints
 */
function stringFor(key, schema, hints) {
	const format = schema.format;
	if (format === 'date') return hints.date;
	if (format === 'date-time') return `${hints.date}T00:00:00Z`;
	if (format === 'uri' || format === 'url') return hints.url;
	if (format === 'email') return 'editor@example.com';
	let value;
	const k = key.toLowerCase();
	if (/url|link|href|website|source/.test(k)) value = hints.url;
	else if (/date|time|updated|published/.test(k)) value = hints.date;
	else if (/question|query|prompt/.test(k)) value = hints.question;
	else if (/title|name|topic|subject|headline|label|category/.test(k)) value = hints.title;
	else value = hints.answer;
	if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
		value = value.slice(0, schema.maxLength);
	}
	if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
		value = value.padEnd(schema.minLength, '.');
	}
	return value;
}

/** @param {Record<string, any>} schema @param {boolean} integer */
function numberFor(schema, integer) {
	let value = 1;
	if (typeof schema.minimum === 'number') value = schema.minimum;
	else if (typeof schema.exclusiveMinimum === 'number')
		value = schema.exclusiveMinimum + (integer ? 1 : 0.5);
	if (typeof schema.maximum === 'number' && value > schema.maximum) value = schema.maximum;
	if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
		value = schema.exclusiveMaximum - (integer ? 1 : 0.5);
	}
	return integer ? Math.ceil(value) : value;
}

/**
 * @param {unknown} node
 * @param {Hints} hints
 * @param {Record<string, any>} root
 * @param {string} key
 * @param {number} depth
 * @returns {unknown}
 */
function sample(node, hints, root, key, depth) {
	if (!isObject(node) || depth > MAX_DEPTH) return null;
	let schema = node;
	if (typeof schema.$ref === 'string')
		schema = { ...resolveRef(root, schema.$ref), ...schema, $ref: undefined };
	if ('const' in schema) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
	for (const combo of ['anyOf', 'oneOf']) {
		const options = schema[combo];
		if (Array.isArray(options) && options.length) {
			const pick = options.find((o) => isObject(o) && o.type !== 'null') ?? options[0];
			return sample(pick, hints, root, key, depth + 1);
		}
	}
	if (Array.isArray(schema.allOf) && schema.allOf.length) {
		return sample(Object.assign({}, ...schema.allOf.filter(isObject)), hints, root, key, depth + 1);
	}
	switch (typeOf(schema)) {
		case 'object': {
			const props = isObject(schema.properties) ? schema.properties : {};
			const names = Array.isArray(schema.required) ? schema.required : Object.keys(props);
			/** @type {Record<string, unknown>} */
			const out = {};
			for (const name of names) out[name] = sample(props[name] ?? {}, hints, root, name, depth + 1);
			return out;
		}
		case 'array': {
			if (Array.isArray(schema.items)) {
				return schema.items.map((item) => sample(item, hints, root, key, depth + 1));
			}
			const count = schema.maxItems === 0 ? 0 : Math.max(1, schema.minItems ?? 1);
			return Array.from({ length: count }, () =>
				sample(schema.items ?? {}, hints, root, key, depth + 1),
			);
		}
		case 'integer':
			return numberFor(schema, true);
		case 'number':
			return numberFor(schema, false);
		case 'boolean':
			return true;
		case 'null':
			return null;
		default:
			return stringFor(key, schema, hints);
	}
}

/**
 * @param {Record<string, any>} schema
 * @param {Hints} hints
 */
function sampleJson(schema, hints) {
	return sample(schema, hints, schema, '', 0);
}

module.exports = { sampleJson };
