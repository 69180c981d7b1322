import type { IDataObject } from 'n8n-workflow';

import { InputError } from './inputError';
import type { ApiKind, ImageSource } from './interfaces';

/** The formats Perplexity's image docs list, for base64 images, on both APIs. */
export const IMAGE_TYPES: Readonly<Record<string, string>> = {
	'image/png': 'PNG',
	'image/jpeg': 'JPEG',
	'image/webp': 'WEBP',
	'image/gif': 'GIF',
};

/**
 * The docs allow 50 MB per base64 image, but Perplexity refuses requests over 32 MiB (413) and
 * base64 makes an image a third larger: 23 MiB is the largest image that still leaves the
 * messages more than a mebibyte (test/sandbox/README.md, A34).
 */
export const MAX_IMAGE_BYTES = 23 * 1024 * 1024;

/** The published OpenAPI document's maxLength of an Agent API `input_image` image_url. */
export const MAX_AGENT_IMAGE_URL_LENGTH = 2048;

const FIELD = 'Options → Image';
export const BINARY_FIELD = `${FIELD} → Input Binary Field`;
const URL_FIELD = `${FIELD} → Image URL`;

const TYPE_LIST = 'PNG, JPEG, WEBP or GIF';

/**
 * The Image option of one item (a fixed collection: `{ values: { source, … } }`), checked. A binary
 * image is only named here; its bytes are read and checked by checkImageBytes.
 */
export function readImageOption(value: unknown, api: ApiKind): ImageSource | undefined {
	const values = (value as IDataObject | undefined)?.values as IDataObject | undefined;
	if (!values) return undefined;
	const source = values.source ?? 'binary';
	if (source === 'binary') {
		const property = String(values.binaryPropertyName ?? 'data').trim();
		if (property === '') {
			throw new InputError(BINARY_FIELD, 'is empty: name the binary field that holds the image');
		}
		return { source: 'binary', property };
	}
	if (source !== 'url') {
		throw new InputError(
			`${FIELD} → Source`,
			`must be binary or url, got ${JSON.stringify(source)}`,
		);
	}
	return { source: 'url', url: checkImageUrl(values.url, api) };
}

function checkImageUrl(value: unknown, api: ApiKind): string {
	const url = typeof value === 'string' ? value.trim() : '';
	if (url === '') throw new InputError(URL_FIELD, 'is empty');
	let parsed: URL | undefined;
	try {
		parsed = new URL(url);
	} catch {
		parsed = undefined;
	}
	if (parsed?.protocol !== 'https:' || parsed.hostname === '') {
		throw new InputError(
			URL_FIELD,
			`"${url.slice(0, 80)}" is not an https:// address`,
			'Perplexity fetches images from public HTTPS addresses. For an image in the item, set Source to Binary File.',
		);
	}
	if (api === 'agent' && url.length > MAX_AGENT_IMAGE_URL_LENGTH) {
		throw new InputError(
			URL_FIELD,
			`is ${url.length} characters long: the Agent API takes at most ${MAX_AGENT_IMAGE_URL_LENGTH}`,
		);
	}
	return url;
}

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) =>
	signature.every((byte, index) => bytes[at + index] === byte);

/** The image format the bytes themselves are in (their magic number), if one Perplexity takes. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
	if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
	if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
	if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
	// RIFF, four bytes of length, WEBP
	if (
		startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) &&
		startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)
	) {
		return 'image/webp';
	}
	return undefined;
}

function megabytes(bytes: number): string {
	return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Checks an image's bytes before anything is sent, and gives the MIME type to declare: the one
 * the bytes are in, whatever the binary data's own (often application/octet-stream after a
 * download) says.
 */
export function checkImageBytes(
	property: string,
	bytes: Uint8Array,
	declared: { mimeType?: string; fileName?: string },
): string {
	const name = declared.fileName ? `"${property}" (${declared.fileName})` : `"${property}"`;
	if (bytes.length === 0) throw new InputError(BINARY_FIELD, `the binary field ${name} is empty`);
	if (bytes.length > MAX_IMAGE_BYTES) {
		throw new InputError(
			BINARY_FIELD,
			`the image in ${name} is ${megabytes(bytes.length)}: at most ${megabytes(MAX_IMAGE_BYTES)} fits`,
			'The image goes base64-encoded inside the request, and Perplexity accepts requests up to 32 MiB. Make the image smaller, or give its address with Source set to URL.',
		);
	}
	const type = sniffImageType(bytes);
	if (type === undefined) {
		const { mimeType } = declared;
		const problem =
			mimeType && IMAGE_TYPES[mimeType]
				? `says ${mimeType}, but its bytes are not a ${TYPE_LIST} image`
				: `is ${mimeType || 'of an unknown type'}, not a ${TYPE_LIST} image`;
		throw new InputError(
			BINARY_FIELD,
			`the binary field ${name} ${problem}`,
			`Perplexity takes ${TYPE_LIST} images. Convert the file first, e.g. with the Edit Image node.`,
		);
	}
	return type;
}

/** A base64 data URL, the form Perplexity's docs give for an image sent with the request. */
export function imageDataUrl(mimeType: string, bytes: Buffer): string {
	return `data:${mimeType};base64,${bytes.toString('base64')}`;
}
