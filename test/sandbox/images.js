// @ts-check
'use strict';

const { createHash } = require('crypto');
const { invalidParameter } = require('./errors');
const { isObject } = require('./prompt');

/**
 * Images in the question: Agent `input_image` parts (`image_url` a string) and Sonar `image_url`
 * parts (`image_url` a string or `{url}`), as the SDK types them. What is inside the URL follows
 * Perplexity's image docs: a base64 data URI of a PNG, JPEG, WEBP or GIF image, or an HTTPS URL.
 * The sandbox fetches nothing; it decodes data URIs and describes every image in its answer, so a
 * test can see that the bytes arrived whole.
 *
 * @typedef {{ kind: 'data', type: string, bytes: number, sha256: string } | { kind: 'url', url: string }} Image
 * @typedef {'agent' | 'sonar'} Api
 */

/** @type {Record<string, string>} */
const TYPES = {
	'image/png': 'PNG',
	'image/jpeg': 'JPEG',
	'image/webp': 'WEBP',
	'image/gif': 'GIF',
};

/** The docs' limit for one base64 image; a request that large is already over 32 MiB (413). */
const MAX_BYTES = 50 * 1000 * 1000;

/** The OpenAPI document's maxLength of an Agent `input_image` image_url (A35: not for data URIs). */
const MAX_AGENT_URL = 2048;

const DATA_URI = /^data:([^;,]*);base64,(.*)$/s;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** @param {Buffer} b @param {number[]} sig @param {number} [at] */
const starts = (b, sig, at = 0) => sig.every((byte, i) => b[at + i] === byte);

/** The format the bytes are in, by their magic number. @param {Buffer} b */
function sniff(b) {
	if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
	if (starts(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
	if (starts(b, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
	if (starts(b, [0x52, 0x49, 0x46, 0x46]) && starts(b, [0x57, 0x45, 0x42, 0x50], 8)) {
		return 'image/webp';
	}
	return null;
}

/**
 * One image URL as the service would take it (A33: the 400s and their texts are assumed).
 * @param {string} url
 * @param {Api} api
 * @returns {Image}
 */
function readImage(url, api) {
	const fail = (/** @type {string} */ why) =>
		invalidParameter(`invalid image_url: ${why}`, 'image_url');
	if (url.startsWith('data:')) {
		const m = DATA_URI.exec(url);
		if (!m || m[2].length % 4 !== 0 || !BASE64.test(m[2])) {
			throw fail('a data URI must be data:<type>;base64,<base64 data>');
		}
		const type = m[1].toLowerCase();
		if (!TYPES[type]) throw fail(`unsupported image type "${type}": use PNG, JPEG, WEBP or GIF`);
		const bytes = Buffer.from(m[2], 'base64');
		if (bytes.length > MAX_BYTES) throw fail('the image is larger than 50 MB');
		if (sniff(bytes) !== type) throw fail(`the data is not a valid ${TYPES[type]} image`);
		const sha256 = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
		return { kind: 'data', type, bytes: bytes.length, sha256 };
	}
	if (!/^https:\/\/[^\s/?#]+/i.test(url)) {
		throw fail('use an HTTPS URL or a base64 data URI');
	}
	if (api === 'agent' && url.length > MAX_AGENT_URL) {
		throw fail(`an image URL may be at most ${MAX_AGENT_URL} characters`);
	}
	return { kind: 'url', url };
}

/**
 * Every image in the messages (Agent `input`, Sonar `messages`), in order. Shapes were checked by
 * the API's validator before; this reads the URLs.
 * @param {unknown} messages
 * @param {Api} api
 * @returns {Image[]}
 */
function imagesOf(messages, api) {
	if (!Array.isArray(messages)) return [];
	/** @type {Image[]} */
	const images = [];
	for (const message of messages) {
		if (!isObject(message) || !Array.isArray(message.content)) continue;
		for (const part of message.content) {
			if (!isObject(part)) continue;
			if (api === 'agent' && part.type === 'input_image') {
				if (typeof part.image_url !== 'string') {
					throw invalidParameter('an input_image part needs image_url', 'image_url');
				}
				images.push(readImage(part.image_url, api));
			}
			if (api === 'sonar' && part.type === 'image_url') {
				const value = part.image_url;
				images.push(readImage(typeof value === 'string' ? value : value.url, api));
			}
		}
	}
	return images;
}

/** How the answer mentions an image. @param {Image} image */
function describeImage(image) {
	if (image.kind === 'url') return `the image at ${image.url}`;
	return `a ${TYPES[image.type]} image of ${image.bytes} bytes (SHA-256 ${image.sha256})`;
}

module.exports = { imagesOf, describeImage };
