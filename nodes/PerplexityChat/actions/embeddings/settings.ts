import type { IDataObject } from 'n8n-workflow';

import { InputError } from '../../helpers/inputError';
import type { NumberRange } from '../../helpers/ranges';
import { checkChoice, checkNumber } from '../../helpers/validation';
import { REQUEST_LIMITS } from './batching';
import { type EmbeddingModel, fullDimensions } from './models';
import { ENCODING_FORMATS, type EncodingFormat } from './vectors';

/**
 * Number parameters of the embeddings operations: the editor's limits and the checks before
 * sending both come from here. Dimensions: the published `minimum` and `maximum` of `dimensions`
 * for any model (a known model's own maximum is checked too); 0 leaves it out. Max … per Request:
 * `input`'s published maxItems.
 */
export const EMBEDDING_RANGES = {
	'options.dimensions': { min: 128, max: 2560, integer: true, unset: 0 },
	'requestOptions.maxPerRequest': { min: 1, max: REQUEST_LIMITS.inputs, integer: true },
} satisfies Record<string, NumberRange>;

/** One item's request settings, checked; items with equal settings can share a request. */
export interface EmbeddingSettings {
	model: string;
	/** Left out: the model's full size. */
	dimensions?: number;
	format: EncodingFormat;
	includeText: boolean;
}

/** Which models the operation takes, and where a model of the other operation belongs. */
export interface ModelFamily {
	models: readonly EmbeddingModel[];
	others: readonly EmbeddingModel[];
	/** The operation the other models are for, as the editor names it. */
	otherOperation: string;
}

const DIMENSIONS = 'Options → Dimensions';

function checkModel(value: unknown, family: ModelFamily): string {
	const model = typeof value === 'string' ? value.trim() : '';
	if (model === '') throw new InputError('Model', 'is empty: pick a model or type an ID');
	if (/\s/.test(model)) throw new InputError('Model', `"${model}" is not a model ID`);
	if (family.others.some(({ value: other }) => other === model)) {
		const own = family.models.map(({ value: name }) => name).join(' or ');
		throw new InputError(
			'Model',
			`${model} is for ${family.otherOperation}`,
			`Pick ${own}, or use the operation ${family.otherOperation}.`,
		);
	}
	return model;
}

function checkDimensions(value: unknown, model: string): number | undefined {
	const dimensions = checkNumber(DIMENSIONS, value, EMBEDDING_RANGES['options.dimensions']);
	const full = fullDimensions(model);
	if (dimensions !== undefined && full !== undefined && dimensions > full) {
		const { min } = EMBEDDING_RANGES['options.dimensions'];
		throw new InputError(
			DIMENSIONS,
			`must be between ${min} and ${full} for ${model} (or 0 for all ${full}), got ${dimensions}`,
		);
	}
	return dimensions;
}

/** Model and Options of one item, as n8n resolved them. */
export function resolveEmbeddingSettings(
	raw: { model: unknown; options: IDataObject },
	family: ModelFamily,
): EmbeddingSettings {
	const model = checkModel(raw.model, family);
	const { options } = raw;
	return {
		model,
		dimensions: checkDimensions(options.dimensions, model),
		format: (checkChoice('Options → Encoding Format', options.encodingFormat, ENCODING_FORMATS) ??
			'base64_int8') as EncodingFormat,
		includeText: options.includeText !== false,
	};
}

/** Items whose settings give the same key may go into the same request. */
export const settingsKey = ({ model, dimensions, format }: EmbeddingSettings) =>
	JSON.stringify([model, dimensions ?? 0, format]);

/**
 * The request body. `encoding_format` is always sent, although `base64_int8` is the published
 * default: the node decodes the vectors by it, so it must not depend on a default that may change.
 */
export function requestBody(
	settings: EmbeddingSettings,
	input: string[] | string[][],
): IDataObject {
	const body: IDataObject = { input, model: settings.model };
	if (settings.dimensions !== undefined) body.dimensions = settings.dimensions;
	body.encoding_format = settings.format;
	return body;
}

function describe(value: unknown): string {
	if (value === null || value === undefined) return 'empty';
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

/**
 * One text to embed. Numbers and booleans are taken as their text; Perplexity refuses empty texts
 * ("Empty strings are not allowed"), so they are refused here, before anything is sent.
 */
function checkText(value: unknown, field: string, where: string): string {
	const text =
		typeof value === 'number' || typeof value === 'boolean' ? String(value) : (value ?? '');
	if (typeof text !== 'string') {
		throw new InputError(field, `${where} must be a text, not ${describe(value)}`);
	}
	if (text === '') {
		throw new InputError(
			field,
			`${where} is empty`,
			'Perplexity does not embed empty texts; leave such items out first, e.g. with a Filter node.',
		);
	}
	return text;
}

/**
 * The Text of Create Embeddings: a text, or a list of texts from an expression such as
 * `{{ $json.chunks }}`. `single` tells which: the output has `embedding` for a text and
 * `embeddings` for a list, whatever its length.
 */
export function readTexts(value: unknown): { texts: string[]; single: boolean } {
	if (!Array.isArray(value)) return { texts: [checkText(value, 'Text', 'the text')], single: true };
	if (value.length === 0)
		throw new InputError('Text', 'is an empty list: there is nothing to embed');
	return {
		texts: value.map((entry, index) => checkText(entry, 'Text', `entry ${index} of the list`)),
		single: false,
	};
}

/**
 * The Chunks of Create Contextualized Embeddings: the item is one document, and this is the list of
 * its chunks, from an expression or as JSON text. The API takes at most 16,000 chunks in a request,
 * so a document with more can never be sent.
 */
export function readChunks(value: unknown): string[] {
	let list = value;
	if (typeof value === 'string') {
		try {
			list = JSON.parse(value) as unknown;
		} catch {
			list = value;
		}
	}
	if (!Array.isArray(list)) {
		throw new InputError(
			'Chunks',
			`must be a list of texts, got ${describe(list)}`,
			'Use an expression such as {{ $json.chunks }}, or JSON such as ["first chunk", "second chunk"]; a document of one chunk is {{ [$json.text] }}.',
		);
	}
	if (list.length === 0)
		throw new InputError('Chunks', 'is an empty list: there is nothing to embed');
	if (list.length > REQUEST_LIMITS.chunks) {
		throw new InputError(
			'Chunks',
			`has ${list.length} chunks; Perplexity takes at most ${REQUEST_LIMITS.chunks} in a request`,
			'Split the document into several items.',
		);
	}
	return list.map((entry, index) => {
		if (Array.isArray(entry)) {
			throw new InputError(
				'Chunks',
				`entry ${index} is a list: each item is one document, and its chunks are texts`,
				'Give each document an item of its own, e.g. with a Split Out node.',
			);
		}
		return checkText(entry, 'Chunks', `entry ${index}`);
	});
}

/** Request Options → Max Texts (or Documents) per Request; the API's maximum when not set. */
export function readMaxPerRequest(requestOptions: IDataObject, displayName: string): number {
	return (
		checkNumber(
			`Request Options → ${displayName}`,
			requestOptions.maxPerRequest,
			EMBEDDING_RANGES['requestOptions.maxPerRequest'],
		) ?? REQUEST_LIMITS.inputs
	);
}
