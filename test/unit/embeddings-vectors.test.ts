import {
	contextualizedEmbeddingsOf,
	embeddingsOf,
	itemOutput,
} from '../../nodes/PerplexityChat/actions/embeddings/responses';
import { decodeEmbedding } from '../../nodes/PerplexityChat/actions/embeddings/vectors';

/** From Perplexity's answer to numbers, each at the text it belongs to. */

const base64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe('decodeEmbedding', () => {
	it('base64_int8: one signed whole number per byte', () => {
		expect(decodeEmbedding(base64([0, 1, 127, 128, 255]), 'base64_int8')).toEqual([
			0, 1, 127, -128, -1,
		]);
		expect(decodeEmbedding(base64([5, 250, 3]), 'base64_int8', 3)).toEqual([5, -6, 3]);
	});

	it('base64_binary: one bit per dimension, highest bit first', () => {
		expect(decodeEmbedding(base64([0b10110000, 0b00000001]), 'base64_binary')).toEqual([
			1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		]);
		// 10 dimensions: two bytes, the last six bits padding.
		expect(decodeEmbedding(base64([0xff, 0b11000000]), 'base64_binary', 10)).toEqual([
			1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		]);
	});

	it('refuses a vector of the wrong size or a string that is not base64', () => {
		expect(decodeEmbedding(base64([1, 2]), 'base64_int8', 3)).toEqual({
			problem: 'an embedding has 2 values, not 3',
		});
		expect(decodeEmbedding(base64([1, 2]), 'base64_binary', 24)).toEqual({
			problem: 'an embedding has 16 bits, not 24',
		});
		for (const bad of ['not base64!', 'abc', 42, null, [1, 2]]) {
			expect(decodeEmbedding(bad, 'base64_int8')).toEqual({
				problem: 'an embedding is not a base64 string',
			});
		}
	});
});

describe('embeddingsOf', () => {
	const entry = (index: unknown, embedding = `e${String(index)}`) => ({
		object: 'embedding',
		index,
		embedding,
	});

	it('pairs by index, not by position', () => {
		expect(embeddingsOf({ data: [entry(2), entry(0), entry(1)] }, 3)).toEqual(['e0', 'e1', 'e2']);
	});

	it('wants exactly one embedding per text', () => {
		expect(embeddingsOf({}, 1)).toEqual({ problem: 'it has no list of embeddings' });
		expect(embeddingsOf({ data: [entry(0)] }, 2)).toEqual({
			problem: 'it has no embedding for index 1',
		});
		expect(embeddingsOf({ data: [entry(0), entry(0)] }, 2)).toEqual({
			problem: 'two of its embeddings have the index 0',
		});
		expect(embeddingsOf({ data: [entry(0), entry(2)] }, 2)).toEqual({
			problem: 'one of its embeddings has the index 2',
		});
		expect(embeddingsOf({ data: [entry('0')] }, 1)).toEqual({
			problem: 'one of its embeddings has the index "0"',
		});
		expect(embeddingsOf({ data: [null] }, 1)).toEqual({
			problem: 'one of its embeddings has the index undefined',
		});
	});
});

describe('contextualizedEmbeddingsOf', () => {
	const chunk = (index: number, embedding: string) => ({ object: 'embedding', index, embedding });
	const doc = (index: number, data: unknown) => ({ object: 'list', index, data });

	it('pairs documents and chunks by their indexes', () => {
		const body = {
			data: [doc(1, [chunk(0, 'b0')]), doc(0, [chunk(1, 'a1'), chunk(0, 'a0')])],
		};
		expect(contextualizedEmbeddingsOf(body, [2, 1])).toEqual([['a0', 'a1'], ['b0']]);
	});

	it('says which document does not fit', () => {
		expect(contextualizedEmbeddingsOf({ data: [doc(0, [chunk(0, 'a')])] }, [1, 1])).toEqual({
			problem: 'it has no document for index 1',
		});
		expect(
			contextualizedEmbeddingsOf({ data: [doc(0, [chunk(0, 'a')]), doc(1, [])] }, [1, 1]),
		).toEqual({ problem: 'in document 1, it has no embedding for index 0' });
		expect(contextualizedEmbeddingsOf({ data: [doc(0, 'x')] }, [1])).toEqual({
			problem: 'in document 0, it has no list of embeddings',
		});
	});
});

describe('itemOutput', () => {
	const vectors = [
		[1, 2],
		[3, 4],
	];

	it('one text: `embedding`, with the text first when asked', () => {
		expect(
			itemOutput(['a'], [vectors[0]], { single: true, includeText: true, model: 'm' }),
		).toEqual({
			text: 'a',
			embedding: [1, 2],
			model: 'm',
		});
		expect(
			Object.keys(
				itemOutput(['a'], [vectors[0]], { single: true, includeText: false, model: 'm' }),
			),
		).toEqual(['embedding', 'model']);
	});

	it('a list: `embeddings`, one entry per text with its index', () => {
		expect(
			itemOutput(['a', 'b'], vectors, { single: false, includeText: true, model: 'm' }),
		).toEqual({
			embeddings: [
				{ index: 0, text: 'a', embedding: [1, 2] },
				{ index: 1, text: 'b', embedding: [3, 4] },
			],
			model: 'm',
		});
		expect(
			itemOutput(['a', 'b'], vectors, { single: false, includeText: false, model: 'm' }),
		).toEqual({
			embeddings: [
				{ index: 0, embedding: [1, 2] },
				{ index: 1, embedding: [3, 4] },
			],
			model: 'm',
		});
	});
});
