import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { PerplexityChat } from '../../nodes/PerplexityChat/PerplexityChat.node';
import {
	CONTEXTUALIZED_EMBEDDING_MODELS,
	EMBEDDING_MODELS,
	fullDimensions,
} from '../../nodes/PerplexityChat/actions/embeddings/models';
import {
	EMBEDDING_RANGES,
	type ModelFamily,
	readChunks,
	readMaxPerRequest,
	readTexts,
	requestBody,
	resolveEmbeddingSettings,
	settingsKey,
} from '../../nodes/PerplexityChat/actions/embeddings/settings';
import { ENCODING_FORMATS } from '../../nodes/PerplexityChat/actions/embeddings/vectors';
import {
	CONTEXTUALIZED_EMBEDDINGS_ENDPOINT,
	CONTEXTUALIZED_EMBEDDINGS_WIRE_FIELDS,
	EMBEDDINGS_ENDPOINT,
	EMBEDDINGS_WIRE_FIELDS,
} from '../../nodes/PerplexityChat/actions/embeddings/wireFields';
import { InputError } from '../../nodes/PerplexityChat/helpers/inputError';
import { editorLimitsOf } from '../../nodes/PerplexityChat/helpers/ranges';
import {
	isProven,
	refusedField,
	type WireTable,
	wirePaths,
} from '../../nodes/PerplexityChat/helpers/wireFields';
import { httpFailure } from '../../nodes/PerplexityChat/transport/failures';
import { failureToNodeApiError } from '../../nodes/PerplexityChat/transport/nodeErrors';

/**
 * What the embeddings operations send: each item's checks, the request body, and every field of
 * every body the node can build walked against the evidence table and Perplexity's OpenAPI document.
 */

const SPEC = path.resolve(
	__dirname,
	'..',
	'..',
	'..',
	'shared',
	'reference',
	'perplexity-openapi.json',
);
// The published document, read as it is; typing it would only restate it.
const schemas = (JSON.parse(readFileSync(SPEC, 'utf8')) as any).components.schemas;

const PLAIN: ModelFamily = {
	models: EMBEDDING_MODELS,
	others: CONTEXTUALIZED_EMBEDDING_MODELS,
	otherOperation: 'Create Contextualized Embeddings',
};
const CONTEXT: ModelFamily = {
	models: CONTEXTUALIZED_EMBEDDING_MODELS,
	others: EMBEDDING_MODELS,
	otherOperation: 'Create Embeddings',
};

const settings = (options: IDataObject = {}, model: unknown = 'pplx-embed-v1-4b', family = PLAIN) =>
	resolveEmbeddingSettings({ model, options }, family);

function refused(run: () => unknown, message: string) {
	expect(run).toThrow(InputError);
	expect(run).toThrow(message);
}

describe('models', () => {
	it('are the published enums, with the full sizes the dimensions ranges give', () => {
		expect(EMBEDDING_MODELS.map(({ value }) => value).sort()).toEqual(
			[...schemas.EmbeddingsRequest.properties.model.enum].sort(),
		);
		expect(CONTEXTUALIZED_EMBEDDING_MODELS.map(({ value }) => value).sort()).toEqual(
			[...schemas.ContextualizedEmbeddingsRequest.properties.model.enum].sort(),
		);
		for (const [schema, models] of [
			['EmbeddingsRequest', EMBEDDING_MODELS],
			['ContextualizedEmbeddingsRequest', CONTEXTUALIZED_EMBEDDING_MODELS],
		] as const) {
			const words: string = schemas[schema].properties.dimensions.description;
			for (const { value, dimensions } of models)
				expect(words).toContain(`128-${dimensions} for ${value}`);
		}
		expect(fullDimensions('pplx-embed-context-v1-0.6b')).toBe(1024);
		expect(fullDimensions('pplx-embed-v2')).toBeUndefined();
	});
});

describe('settings of an item', () => {
	it('default to int8, the full size and the text next to its vector', () => {
		expect(settings()).toEqual({
			model: 'pplx-embed-v1-4b',
			dimensions: undefined,
			format: 'base64_int8',
			includeText: true,
		});
		expect(settings({ dimensions: 0 }).dimensions).toBeUndefined();
	});

	it('take every option', () => {
		expect(
			settings(
				{ dimensions: 512, encodingFormat: 'base64_binary', includeText: false },
				' pplx-embed-v1-0.6b ',
			),
		).toEqual({
			model: 'pplx-embed-v1-0.6b',
			dimensions: 512,
			format: 'base64_binary',
			includeText: false,
		});
	});

	it('check Dimensions against the model when the node knows it, else against every model', () => {
		expect(settings({ dimensions: 2560 }).dimensions).toBe(2560);
		expect(settings({ dimensions: 1024 }, 'pplx-embed-v1-0.6b').dimensions).toBe(1024);
		refused(
			() => settings({ dimensions: 1025 }, 'pplx-embed-v1-0.6b'),
			'Options → Dimensions: must be between 128 and 1024 for pplx-embed-v1-0.6b (or 0 for all 1024), got 1025',
		);
		refused(
			() => settings({ dimensions: 2048 }, 'pplx-embed-context-v1-0.6b', CONTEXT),
			'for pplx-embed-context-v1-0.6b',
		);
		expect(settings({ dimensions: 2560 }, 'pplx-embed-v2').dimensions).toBe(2560);
		refused(() => settings({ dimensions: 2561 }, 'pplx-embed-v2'), 'between 128 and 2560');
		refused(() => settings({ dimensions: 127 }), 'got 127');
		refused(() => settings({ dimensions: 200.5 }), 'must be a whole number');
	});

	it('refuse an empty model, an ID with spaces, a model of the other operation, an unknown format', () => {
		refused(() => settings({}, ''), 'Model: is empty');
		refused(() => settings({}, 'pplx embed'), 'Model: "pplx embed" is not a model ID');
		refused(
			() => settings({}, 'pplx-embed-context-v1-4b'),
			'Model: pplx-embed-context-v1-4b is for Create Contextualized Embeddings',
		);
		refused(
			() => settings({}, 'pplx-embed-v1-4b', CONTEXT),
			'Model: pplx-embed-v1-4b is for Create Embeddings',
		);
		refused(
			() => settings({ encodingFormat: 'float' }),
			'Options → Encoding Format: must be one of base64_int8, base64_binary, got "float"',
		);
	});

	it('share a request only when model, dimensions and format are the same', () => {
		const base = settingsKey(settings());
		expect(settingsKey(settings({ includeText: false }))).toBe(base);
		expect(settingsKey(settings({ dimensions: 0 }))).toBe(base);
		expect(settingsKey(settings({ dimensions: 2560 }))).not.toBe(base);
		expect(settingsKey(settings({ encodingFormat: 'base64_binary' }))).not.toBe(base);
		expect(settingsKey(settings({}, 'pplx-embed-v1-0.6b'))).not.toBe(base);
	});

	it('Max Texts per Request: 1 to 512, 512 when not set', () => {
		expect(readMaxPerRequest({}, 'Max Texts per Request')).toBe(512);
		expect(readMaxPerRequest({ maxPerRequest: 7 }, 'Max Texts per Request')).toBe(7);
		refused(
			() => readMaxPerRequest({ maxPerRequest: 0 }, 'Max Documents per Request'),
			'Request Options → Max Documents per Request: must be between 1 and 512, got 0',
		);
	});
});

describe('Text (Create Embeddings)', () => {
	it('is one text, or a list of texts from an expression', () => {
		expect(readTexts('Hello\nworld')).toEqual({ texts: ['Hello\nworld'], single: true });
		expect(readTexts(' ')).toEqual({ texts: [' '], single: true });
		expect(readTexts(['a', 'b'])).toEqual({ texts: ['a', 'b'], single: false });
		expect(readTexts(['a'])).toEqual({ texts: ['a'], single: false });
		expect(readTexts(42)).toEqual({ texts: ['42'], single: true });
		expect(readTexts([1, true])).toEqual({ texts: ['1', 'true'], single: false });
	});

	it('refuses what Perplexity would refuse, and what is not text', () => {
		refused(() => readTexts(''), 'Text: the text is empty');
		refused(() => readTexts(undefined), 'Text: the text is empty');
		refused(() => readTexts(null), 'Text: the text is empty');
		refused(() => readTexts([]), 'Text: is an empty list');
		refused(() => readTexts({ text: 'x' }), 'Text: the text must be a text, not an object');
		refused(() => readTexts(['a', '']), 'Text: entry 1 of the list is empty');
		refused(() => readTexts(['a', ['b']]), 'Text: entry 1 of the list must be a text, not a list');
	});
});

describe('Chunks (Create Contextualized Embeddings)', () => {
	it('is a list of texts, from an expression or as JSON text', () => {
		expect(readChunks(['a', 'b'])).toEqual(['a', 'b']);
		expect(readChunks('["a", "b"]')).toEqual(['a', 'b']);
		expect(readChunks([3])).toEqual(['3']);
		expect(readChunks(Array.from({ length: 16_000 }, () => 'c'))).toHaveLength(16_000);
	});

	it('refuses anything else before it is sent', () => {
		refused(() => readChunks('one text'), 'Chunks: must be a list of texts, got "one text"');
		refused(() => readChunks('{"a": 1}'), 'Chunks: must be a list of texts, got an object');
		refused(() => readChunks('[]'), 'Chunks: is an empty list');
		refused(() => readChunks([['a']]), 'Chunks: entry 0 is a list: each item is one document');
		refused(() => readChunks(['a', null]), 'Chunks: entry 1 is empty');
		refused(
			() => readChunks(Array.from({ length: 16_001 }, () => 'c')),
			'Chunks: has 16001 chunks; Perplexity takes at most 16000 in a request',
		);
	});
});

describe('request bodies', () => {
	it('carry the published fields only, encoding_format always', () => {
		expect(requestBody(settings(), ['a', 'b'])).toEqual({
			input: ['a', 'b'],
			model: 'pplx-embed-v1-4b',
			encoding_format: 'base64_int8',
		});
		expect(
			requestBody(settings({ dimensions: 256, encodingFormat: 'base64_binary' }), [
				['a'],
				['b', 'c'],
			]),
		).toEqual({
			input: [['a'], ['b', 'c']],
			model: 'pplx-embed-v1-4b',
			dimensions: 256,
			encoding_format: 'base64_binary',
		});
	});
});

describe('the evidence table: every field of every body', () => {
	const variants: Array<[string, IDataObject]> = [
		['the defaults', {}],
		['Dimensions', { dimensions: 128 }],
		['Encoding Format: Binary', { encodingFormat: 'base64_binary' }],
		['Encoding Format: Int8', { encodingFormat: 'base64_int8' }],
		['Include Input Text off', { includeText: false }],
		['Add Run Totals', { addRunTotals: true }],
		[
			'every option',
			{ addRunTotals: true, dimensions: 1024, encodingFormat: 'base64_binary', includeText: false },
		],
	];
	const endpoints: Array<[string, WireTable, string, ModelFamily, string[] | string[][]]> = [
		['POST /v1/embeddings', EMBEDDINGS_WIRE_FIELDS, 'EmbeddingsRequest', PLAIN, ['a', 'b']],
		[
			'POST /v1/contextualizedembeddings',
			CONTEXTUALIZED_EMBEDDINGS_WIRE_FIELDS,
			'ContextualizedEmbeddingsRequest',
			CONTEXT,
			[['a', 'b'], ['c']],
		],
	];

	describe.each(endpoints)('%s', (_name, table, schema, family, input) => {
		it.each(variants)('%s: proven fields only, each published', (_variant, options) => {
			const body = requestBody(
				resolveEmbeddingSettings({ model: family.models[1].value, options }, family),
				input,
			);
			const published = Object.keys(schemas[schema].properties);
			for (const field of wirePaths(body, table)) {
				expect({ field, row: table[field] !== undefined }).toEqual({ field, row: true });
				expect({ field, proven: isProven(table[field]) }).toEqual({ field, proven: true });
				expect(published).toContain(field);
			}
			for (const required of schemas[schema].required as string[])
				expect(body).toHaveProperty(required);
		});

		it('names the evidence of every row, and only fields the published schema has', () => {
			for (const [field, row] of Object.entries(table)) {
				expect(Object.keys(schemas[schema].properties)).toContain(field);
				for (const letter of row.evidence) expect(row.source).toContain(`${letter}: `);
			}
		});

		it('sends the encoding formats the schema and the SDK name, and no other', () => {
			expect([...ENCODING_FORMATS].sort()).toEqual(
				[...schemas[schema].properties.encoding_format.enum].sort(),
			);
			expect(table.encoding_format.source).toContain('"base64_int8" | "base64_binary"');
		});
	});
});

describe('the description', () => {
	const { properties } = new PerplexityChat().description;
	const ofOperation = (operation: string) =>
		properties.filter(
			(p) =>
				(p.displayOptions?.show?.resource as string[] | undefined)?.includes('embeddings') &&
				(p.displayOptions?.show?.operation as string[] | undefined)?.includes(operation),
		);
	const collection = (operation: string, name: string) =>
		(ofOperation(operation).find((p) => p.name === name)?.options ?? []) as INodeProperties[];

	it.each(['create', 'createContextualized'])(
		'%s: the options are sorted, and the numbers have the editor limits of their ranges',
		(operation) => {
			for (const name of ['options', 'requestOptions']) {
				const names = collection(operation, name).map((o) => o.displayName);
				expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
			}
			const dimensions = collection(operation, 'options').find((o) => o.name === 'dimensions');
			expect(dimensions?.typeOptions).toEqual(
				editorLimitsOf(EMBEDDING_RANGES['options.dimensions']),
			);
			const perRequest = collection(operation, 'requestOptions').find(
				(o) => o.name === 'maxPerRequest',
			);
			expect(perRequest?.typeOptions).toEqual(
				editorLimitsOf(EMBEDDING_RANGES['requestOptions.maxPerRequest']),
			);
			expect(perRequest?.default).toBe(512);
		},
	);

	it('the checks take the editor default, minimum and maximum, and refuse a step beyond', () => {
		const dimensions = (value: number) => () => settings({ dimensions: value }, 'pplx-embed-v2');
		const perRequest = (value: number) => () =>
			readMaxPerRequest({ maxPerRequest: value }, 'Max Texts per Request');
		for (const [check, range, fallback] of [
			[dimensions, EMBEDDING_RANGES['options.dimensions'], 0],
			[perRequest, EMBEDDING_RANGES['requestOptions.maxPerRequest'], 512],
		] as const) {
			const { minValue, maxValue } = editorLimitsOf(range) as {
				minValue: number;
				maxValue: number;
			};
			for (const value of [fallback, minValue, maxValue]) expect(check(value)).not.toThrow();
			expect(check(maxValue + 1)).toThrow(InputError);
			expect(check(range.min - 1)).toThrow(InputError);
		}
	});
});

describe('a field an endpoint refuses', () => {
	it.each([
		[EMBEDDINGS_ENDPOINT, 'The Embeddings API'],
		[CONTEXTUALIZED_EMBEDDINGS_ENDPOINT, 'The Contextualized Embeddings API'],
	])('is named with the option that sends it: %#', (endpoint, name) => {
		const sent = requestBody(settings({ dimensions: 256 }), ['a']);
		const envelope = JSON.stringify({
			error: {
				message: 'invalid request body: json: unknown field "dimensions"',
				type: 'invalid_request',
				code: 400,
				param: 'dimensions',
			},
		});
		const failure = httpFailure(400, {}, envelope);
		const refused = refusedField(endpoint.table, sent, failure);
		expect(refused).toEqual({
			path: 'dimensions',
			option: 'Options → Dimensions',
			docsOnly: false,
		});
		const node = {
			id: '1',
			name: 'Perplexity Chat',
			type: 'perplexityChat',
			typeVersion: 3,
			position: [0, 0] as [number, number],
			parameters: {},
		};
		const error = failureToNodeApiError(
			node,
			{ ...failure, refused: { endpoint: endpoint.name, ...refused! } },
			1,
			4,
			[],
		);
		expect(error.message).toBe(
			`${name} refused dimensions, which Options → Dimensions sends: check that option [item 4]`,
		);
		expect(error.description).not.toContain('Sonar');
	});
});
