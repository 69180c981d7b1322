import {
	describeItems,
	pack,
	type PackLimits,
	REQUEST_LIMITS,
	type Unit,
	utf8Bytes,
} from '../../nodes/PerplexityChat/actions/embeddings/batching';

/** Packing the texts of many items into requests within Perplexity's limits. */

const unit = (itemIndex: number, texts: string[], first = 0): Unit => ({
	itemIndex,
	first,
	texts,
	bytes: texts.reduce((sum, text) => sum + utf8Bytes(text), 0),
});

const LIMITS: PackLimits = {
	units: REQUEST_LIMITS.inputs,
	texts: REQUEST_LIMITS.chunks,
	bytes: REQUEST_LIMITS.tokens,
	aloneAbove: REQUEST_LIMITS.tokensPerInput,
};

const shape = (requests: Unit[][]) =>
	requests.map((request) => request.map(({ itemIndex, first }) => `${itemIndex}.${first}`));

describe('the limits', () => {
	it('are the published ones', () => {
		expect(REQUEST_LIMITS).toEqual({
			inputs: 512,
			chunks: 16_000,
			tokens: 120_000,
			tokensPerInput: 32_000,
		});
	});

	it('count UTF-8 bytes, which no byte-level tokenizer can give fewer tokens than', () => {
		expect(utf8Bytes('abc')).toBe(3);
		expect(utf8Bytes('é')).toBe(2);
		expect(utf8Bytes('日本')).toBe(6);
		expect(utf8Bytes('👍')).toBe(4);
	});
});

describe('pack', () => {
	it('keeps the order and fills each request up to the number of units', () => {
		const units = Array.from({ length: 1100 }, (_, i) => unit(i, [`t${i}`]));
		const requests = pack(units, LIMITS);
		expect(requests.map((r) => r.length)).toEqual([512, 512, 76]);
		expect(requests.flat()).toEqual(units);
		expect(pack(units.slice(0, 5), { ...LIMITS, units: 2 }).map((r) => r.length)).toEqual([
			2, 2, 1,
		]);
	});

	it('puts the texts of one item in several requests when they do not fit one', () => {
		const texts = Array.from({ length: 600 }, (_, k) => unit(1, [`t${k}`], k));
		const requests = pack([unit(0, ['a']), ...texts, unit(2, ['b'])], LIMITS);
		expect(shape(requests)[0].slice(0, 2)).toEqual(['0.0', '1.0']);
		expect(shape(requests)[1].at(-1)).toBe('2.0');
		expect(requests.map((r) => r.length)).toEqual([512, 90]);
	});

	it('stays within the bytes a request may have, counting multi-byte characters', () => {
		const kilobyte = 'x'.repeat(1000);
		expect(
			pack(
				Array.from({ length: 250 }, (_, i) => unit(i, [kilobyte])),
				LIMITS,
			).map((r) => r.length),
		).toEqual([120, 120, 10]);
		// 500 bytes in 250 characters.
		const accented = 'é'.repeat(250);
		expect(
			pack(
				Array.from({ length: 250 }, (_, i) => unit(i, [accented])),
				LIMITS,
			).map((r) => r.length),
		).toEqual([240, 10]);
	});

	it('stays within the chunks a request may have, never splitting a document', () => {
		const documents = [
			unit(0, Array(9000).fill('c')),
			unit(1, Array(7000).fill('c')),
			unit(2, ['c']),
		];
		expect(shape(pack(documents, LIMITS))).toEqual([['0.0', '1.0'], ['2.0']]);
		expect(
			shape(pack([unit(0, Array(9000).fill('c')), unit(1, Array(7001).fill('c'))], LIMITS)),
		).toEqual([['0.0'], ['1.0']]);
	});

	it('sends alone what might be over the limit of one text or document, or of a request', () => {
		const units = [
			unit(0, ['a']),
			unit(1, ['y'.repeat(32_001)]),
			unit(2, ['b']),
			unit(3, ['z'.repeat(130_000)]),
			unit(4, ['c']),
			unit(5, ['y'.repeat(32_000)]),
			unit(6, ['d']),
		];
		expect(shape(pack(units, LIMITS))).toEqual([
			['0.0'],
			['1.0'],
			['2.0'],
			['3.0'],
			['4.0', '5.0', '6.0'],
		]);
	});

	it('makes no request for no units', () => {
		expect(pack([], LIMITS)).toEqual([]);
	});
});

describe('describeItems', () => {
	it('names the items of a request in runs', () => {
		expect(describeItems([4])).toBe('item 4');
		expect(describeItems([2, 3])).toBe('items 2 and 3');
		expect(describeItems([3, 4, 5, 6, 7, 9, 10, 12])).toBe('items 3 to 7, 9, 10 and 12');
		expect(describeItems([5, 1, 2, 3, 1])).toBe('items 1 to 3 and 5');
	});
});
