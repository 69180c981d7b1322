import { createHash } from 'node:crypto';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode, type RunResult, searchList } from '../helpers/harness';
import type { RequestEntry } from '../sandbox/server';
import { API_KEY, expectNoKey, itemsOf, model, useSandbox } from './support';

/**
 * Embeddings → Create Embeddings and Create Contextualized Embeddings through n8n-core's engine,
 * against the sandbox. The sandbox derives every vector from its text (SHAKE256, sandbox README
 * A28), so each output vector can be traced to the text it belongs to.
 */

const env = useSandbox();
jest.setTimeout(60_000);

const EMBEDDINGS = '/v1/embeddings';
const CONTEXTUALIZED = '/v1/contextualizedembeddings';

/** The sandbox's int8 vector of a text, computed here on its own. */
const shake = (text: string, length: number) => [
	...new Int8Array(createHash('shake256', { outputLength: length }).update(text).digest()),
];
const bitsOf = (values: number[]) => values.map((value) => (value > 0 ? 1 : 0));

function create(overrides: INodeParameters = {}): INodeParameters {
	return { resource: 'embeddings', operation: 'create', text: '={{ $json.text }}', ...overrides };
}

function contextualized(overrides: INodeParameters = {}): INodeParameters {
	return {
		resource: 'embeddings',
		operation: 'createContextualized',
		chunks: '={{ $json.chunks }}',
		...overrides,
	};
}

async function run(
	parameters: INodeParameters,
	items: INodeExecutionData[],
	continueOnFail = false,
): Promise<RunResult> {
	return await runNode({
		parameters,
		items,
		continueOnFail,
		node: { typeVersion: 3 },
		credentials: { apiKey: API_KEY, baseUrl: env.sandbox.url },
	});
}

const texts = (count: number, make = (i: number) => `Text number ${i}`) =>
	itemsOf(count, (i) => ({ text: make(i) }));

const requestsTo = (path: string): RequestEntry[] =>
	env.sandbox.requests().filter((entry) => entry.path === path);

const bodyOf = (entry: RequestEntry) => entry.body as IDataObject;

function expectPaired(result: RunResult, count: number) {
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(count);
	result.items.forEach((item, index) => expect(item.pairedItem).toEqual({ item: index }));
	expectNoKey(result);
}

describe('Create Embeddings', () => {
	it('embeds one text per item in one request: the defaults on the wire, a vector per item', async () => {
		const result = await run(create(), texts(3));
		expectPaired(result, 3);
		const [request] = requestsTo(EMBEDDINGS);
		expect(requestsTo(EMBEDDINGS)).toHaveLength(1);
		expect(request.body).toEqual({
			input: ['Text number 0', 'Text number 1', 'Text number 2'],
			model: 'pplx-embed-v1-4b',
			encoding_format: 'base64_int8',
		});
		result.items.forEach(({ json }, i) => {
			expect(json).toEqual({
				text: `Text number ${i}`,
				embedding: shake(`Text number ${i}`, 2560),
				model: 'pplx-embed-v1-4b',
			});
		});
	});

	it('sends every option: a model by ID, dimensions, binary, and packs to Max Texts per Request', async () => {
		const result = await run(
			create({
				model: model('pplx-embed-v1-0.6b'),
				options: { dimensions: 130, encodingFormat: 'base64_binary', includeText: false },
				requestOptions: { maxPerRequest: 2, concurrency: 1 },
			}),
			texts(5),
		);
		expectPaired(result, 5);
		const requests = requestsTo(EMBEDDINGS);
		expect(requests.map((r) => bodyOf(r).input)).toEqual([
			['Text number 0', 'Text number 1'],
			['Text number 2', 'Text number 3'],
			['Text number 4'],
		]);
		for (const request of requests) {
			expect(request.body).toMatchObject({
				model: 'pplx-embed-v1-0.6b',
				dimensions: 130,
				encoding_format: 'base64_binary',
			});
		}
		result.items.forEach(({ json }, i) => {
			expect(json).toEqual({
				embedding: bitsOf(shake(`Text number ${i}`, 130)),
				model: 'pplx-embed-v1-0.6b',
			});
		});
	});

	it('picks models from the published list', async () => {
		const credentials = { apiKey: API_KEY, baseUrl: env.sandbox.url };
		const plain = await searchList({
			method: 'searchEmbeddingModels',
			parameters: create(),
			credentials,
		});
		expect(plain.results.map((r) => r.value)).toEqual(['pplx-embed-v1-4b', 'pplx-embed-v1-0.6b']);
		const context = await searchList({
			method: 'searchContextualizedEmbeddingModels',
			parameters: contextualized(),
			credentials,
			filter: '0.6',
		});
		expect(context.results.map((r) => r.value)).toEqual(['pplx-embed-context-v1-0.6b']);
		// A fixed list: nothing was asked of the API.
		expect(env.sandbox.requests()).toHaveLength(0);
	});

	it('an item whose Text is a list gets `embeddings`, each vector at its text', async () => {
		const items = [
			{ json: { text: 'solo' } },
			{ json: { list: ['first', 'second', 'third'] } },
			{ json: { list: ['only one'] } },
			{ json: { text: 'last' } },
		];
		const result = await run(create({ text: '={{ $json.list ?? $json.text }}' }), items);
		expectPaired(result, 4);
		expect(requestsTo(EMBEDDINGS).map((r) => bodyOf(r).input)).toEqual([
			['solo', 'first', 'second', 'third', 'only one', 'last'],
		]);
		expect(result.items[0].json.embedding).toEqual(shake('solo', 2560));
		expect(result.items[1].json).toEqual({
			embeddings: ['first', 'second', 'third'].map((text, index) => ({
				index,
				text,
				embedding: shake(text, 2560),
			})),
			model: 'pplx-embed-v1-4b',
		});
		expect(result.items[2].json.embeddings).toEqual([
			{ index: 0, text: 'only one', embedding: shake('only one', 2560) },
		]);
		expect(result.items[3].json.embedding).toEqual(shake('last', 2560));
	});

	it('packs many items into as few requests as the limits allow and pairs every vector', async () => {
		// 1,000 one-text items and one item of 700 texts: 1,700 texts, 512 per request at most.
		const items = [
			...itemsOf(1000, (i) => ({ text: `item ${i}` })),
			{ json: { list: Array.from({ length: 700 }, (_, k) => `long item, text ${k}`) } },
		];
		const result = await run(
			create({
				text: '={{ $json.list ?? $json.text }}',
				options: { dimensions: 128 },
				requestOptions: { concurrency: 3 },
			}),
			items,
		);
		expectPaired(result, 1001);
		const requests = requestsTo(EMBEDDINGS);
		const sizes = requests.map((r) => (bodyOf(r).input as string[]).length);
		expect(sizes.sort((a, b) => b - a)).toEqual([512, 512, 512, 164]);
		result.items.slice(0, 1000).forEach(({ json }, i) => {
			expect(json.text).toBe(`item ${i}`);
			expect(json.embedding).toEqual(shake(`item ${i}`, 128));
		});
		const long = result.items[1000].json.embeddings as IDataObject[];
		expect(long).toHaveLength(700);
		long.forEach((entry, k) => {
			expect(entry).toEqual({
				index: k,
				text: `long item, text ${k}`,
				embedding: shake(`long item, text ${k}`, 128),
			});
		});
	});

	it('keeps each request within 120,000 bytes, and sends a text that may be too long alone', async () => {
		const kilobyte = (i: number) => `${i} `.padEnd(1000, 'x');
		const items = [
			...itemsOf(300, (i) => ({ text: kilobyte(i) })),
			{ json: { text: 'y'.repeat(140_000) } },
			{ json: { text: 'after the long one' } },
		];
		const result = await run(
			create({ options: { dimensions: 128 }, requestOptions: { concurrency: 1 } }),
			items,
			true,
		);
		const requests = requestsTo(EMBEDDINGS);
		expect(requests.map((r) => (bodyOf(r).input as string[]).length)).toEqual([120, 120, 60, 1, 1]);
		for (const request of requests.filter((r) => r.status === 200)) {
			const bytes = (bodyOf(request).input as string[]).reduce((n, t) => n + t.length, 0);
			expect(bytes).toBeLessThanOrEqual(120_000);
		}
		// The sandbox counts 35,000 tokens in it, over the 32K per text: only its item fails.
		expect(requests[3]).toMatchObject({ status: 400 });
		expect(result.items[300].json.error).toContain('[item 300]');
		expect(result.items[300].json.error).toContain('invalid_parameter');
		expect(result.items[301].json.embedding).toEqual(shake('after the long one', 128));
		expect(result.items.filter(({ json }) => json.error !== undefined)).toHaveLength(1);
	});

	it('items with different settings go in different requests', async () => {
		const items = itemsOf(4, (i) => ({ text: `t${i}`, small: i % 2 === 0 }));
		const result = await run(
			create({
				model: model('={{ $json.small ? "pplx-embed-v1-0.6b" : "pplx-embed-v1-4b" }}'),
				requestOptions: { concurrency: 1 },
			}),
			items,
		);
		expectPaired(result, 4);
		expect(requestsTo(EMBEDDINGS).map((r) => [bodyOf(r).model, bodyOf(r).input])).toEqual([
			['pplx-embed-v1-0.6b', ['t0', 't2']],
			['pplx-embed-v1-4b', ['t1', 't3']],
		]);
		expect(result.items.map(({ json }) => (json.embedding as number[]).length)).toEqual([
			1024, 2560, 1024, 2560,
		]);
	});

	describe('bad input is refused before anything is sent', () => {
		it.each([
			['an empty text', { text: '' }, {}, 'Text: the text is empty [item 2]'],
			[
				'an empty list',
				{ list: [] },
				{},
				'Text: is an empty list: there is nothing to embed [item 2]',
			],
			[
				'an object in the list',
				{ list: ['fine', { text: 'no' }] },
				{},
				'Text: entry 1 of the list must be a text, not an object [item 2]',
			],
			[
				'an empty text in the list',
				{ list: ['fine', ''] },
				{},
				'Text: entry 1 of the list is empty [item 2]',
			],
			[
				'Dimensions above the model size',
				{ text: 'x', dimensions: 2048 },
				{},
				'Options → Dimensions: must be between 128 and 1024 for pplx-embed-v1-0.6b (or 0 for all 1024), got 2048 [item 2]',
			],
			[
				'Dimensions below 128',
				{ text: 'x', dimensions: 64 },
				{},
				'Options → Dimensions: must be between 128 and 2560 (or 0 to leave it out), got 64 [item 2]',
			],
			[
				'a contextualized model',
				{ text: 'x', model: 'pplx-embed-context-v1-4b' },
				{},
				'Model: pplx-embed-context-v1-4b is for Create Contextualized Embeddings [item 2]',
			],
		])('%s', async (_name, bad, _extra, message) => {
			const items = texts(4).map((item, i) => (i === 2 ? { json: { ...bad } } : item));
			const parameters = create({
				text: '={{ $json.list ?? $json.text }}',
				model: model('={{ $json.model ?? "pplx-embed-v1-0.6b" }}'),
				options: { dimensions: '={{ $json.dimensions ?? 0 }}' },
			});
			const failed = await run(parameters, items);
			expect(failed.error?.message).toBe(message);
			expect(env.sandbox.requests()).toHaveLength(0);

			const marked = await run(parameters, items, true);
			expect(marked.items[2].json).toMatchObject({ error: message, item: 2 });
			expect(marked.items.filter(({ json }) => json.embedding)).toHaveLength(3);
			expect(requestsTo(EMBEDDINGS).map((r) => bodyOf(r).input)).toEqual([
				['Text number 0', 'Text number 1', 'Text number 3'],
			]);
		});

		it('a Request Option out of range fails the run at item 0', async () => {
			const result = await run(create({ requestOptions: { maxPerRequest: 600 } }), texts(2), true);
			expect(result.error?.message).toBe(
				'Request Options → Max Texts per Request: must be between 1 and 512, got 600 [item 0]',
			);
			expect(env.sandbox.requests()).toHaveLength(0);
		});
	});

	describe('faults', () => {
		it.each([
			['[[sandbox:server_error times=2]]', 2],
			['[[sandbox:unavailable times=1]]', 1],
			['[[sandbox:rate_limit times=2 retryAfterMs=20]]', 2],
			['[[sandbox:reset times=1]]', 1],
			['[[sandbox:malformed_json times=1]]', 1],
		])('%s is retried and every item is embedded once', async (directive, failures) => {
			const items = texts(6, (i) => (i === 4 ? `Text 4 ${directive}` : `Text ${i}`));
			const result = await run(create({ requestOptions: { maxPerRequest: 3 } }), items);
			expectPaired(result, 6);
			const requests = requestsTo(EMBEDDINGS);
			const faulty = requests.filter((r) =>
				(bodyOf(r).input as string[]).includes(`Text 4 ${directive}`),
			);
			expect(faulty).toHaveLength(failures + 1);
			expect(requests).toHaveLength(failures + 2);
			result.items.forEach(({ json }, i) => {
				const text = i === 4 ? `Text 4 ${directive}` : `Text ${i}`;
				expect(json.embedding).toEqual(shake(text, 2560));
			});
		});

		it('rate limits of the server itself are waited out', async () => {
			env.sandbox.configure({ rateLimit: { limit: 2, windowMs: 500 } });
			const result = await run(
				create({ requestOptions: { maxPerRequest: 1, concurrency: 4 } }),
				texts(6),
			);
			expectPaired(result, 6);
			const requests = requestsTo(EMBEDDINGS);
			expect(requests.some((r) => r.status === 429)).toBe(true);
			expect(requests.filter((r) => r.status === 200)).toHaveLength(6);
		});

		it('with Continue On Fail, a failed request marks exactly the items it carried', async () => {
			const items = texts(6, (i) => (i === 3 ? 'Text 3 [[sandbox:unavailable]]' : `Text ${i}`));
			const result = await run(
				create({ requestOptions: { maxPerRequest: 2, maxRetries: 1 } }),
				items,
				true,
			);
			expectPaired(result, 6);
			result.items.forEach(({ json }, i) => {
				if (i === 2 || i === 3) {
					expect(json).toMatchObject({
						error: `Perplexity API error 503 (service_unavailable): The service is temporarily unavailable. Please retry shortly. [2 attempts, last status 503] [item ${i}]`,
						item: i,
						httpCode: '503',
					});
					expect(json.description).toContain(
						'The same request carried the texts of items 2 and 3, and each of them fails with it.',
					);
				} else {
					expect(json.embedding).toEqual(shake(`Text ${i}`, 2560));
				}
			});
			// Two requests answered at once, the failing one tried twice.
			expect(requestsTo(EMBEDDINGS)).toHaveLength(4);
		});

		it("a model ID Perplexity does not know: its 422 fails the request's items, without retries", async () => {
			const result = await run(create({ model: model('pplx-embed-v9') }), texts(2), true);
			expectPaired(result, 2);
			for (const [i, { json }] of result.items.entries()) {
				expect(json.error).toBe(
					`Perplexity API error 422 (validation_error): model: Input should be 'pplx-embed-v1-0.6b' or 'pplx-embed-v1-4b' [item ${i}]`,
				);
			}
			expect(requestsTo(EMBEDDINGS)).toHaveLength(1);
		});

		it('without Continue On Fail, the node fails with the first failing item', async () => {
			const items = texts(6, (i) => (i === 5 ? 'Text 5 [[sandbox:bad_request]]' : `Text ${i}`));
			const result = await run(create({ requestOptions: { maxPerRequest: 2 } }), items);
			expect(result.error?.message).toBe(
				'Perplexity API error 400 (invalid_request): Bad request. [item 4]',
			);
			expect(result.items).toEqual([]);
		});
	});
});

describe('Create Contextualized Embeddings', () => {
	const documents = [
		['The cat sat on the mat.', 'Then it slept.'],
		['Markets rose on Monday.', 'Bonds fell.', 'Gold was flat.'],
		['A single chunk.'],
	];
	const docItems = documents.map((chunks) => ({ json: { chunks } }));

	it('embeds one document per item, in one request: one vector per chunk, paired to its document', async () => {
		const result = await run(contextualized(), docItems);
		expectPaired(result, 3);
		const requests = requestsTo(CONTEXTUALIZED);
		expect(requests).toHaveLength(1);
		expect(requests[0].body).toEqual({
			input: documents,
			model: 'pplx-embed-context-v1-4b',
			encoding_format: 'base64_int8',
		});
		result.items.forEach(({ json }, d) => {
			const embeddings = json.embeddings as IDataObject[];
			expect(json.model).toBe('pplx-embed-context-v1-4b');
			expect(embeddings.map(({ index, text }) => [index, text])).toEqual(
				documents[d].map((chunk, index) => [index, chunk]),
			);
			embeddings.forEach(({ text, embedding }) => {
				expect(embedding).toHaveLength(2560);
				// The sandbox starts each chunk's vector with its text's fingerprint.
				expect((embedding as number[]).slice(0, 8)).toEqual(shake(text as string, 8));
			});
		});
	});

	it('sends every option, and never splits a document across requests', async () => {
		const result = await run(
			contextualized({
				model: model('pplx-embed-context-v1-0.6b'),
				options: { dimensions: 256, encodingFormat: 'base64_binary', includeText: false },
				requestOptions: { maxPerRequest: 2, concurrency: 1 },
			}),
			docItems,
		);
		expectPaired(result, 3);
		const requests = requestsTo(CONTEXTUALIZED);
		expect(requests.map((r) => bodyOf(r).input)).toEqual([
			documents.slice(0, 2),
			documents.slice(2),
		]);
		for (const request of requests) {
			expect(request.body).toMatchObject({
				model: 'pplx-embed-context-v1-0.6b',
				dimensions: 256,
				encoding_format: 'base64_binary',
			});
		}
		result.items.forEach(({ json }, d) => {
			const embeddings = json.embeddings as IDataObject[];
			expect(embeddings).toHaveLength(documents[d].length);
			embeddings.forEach((entry, c) => {
				expect(Object.keys(entry)).toEqual(['index', 'embedding']);
				const bits = entry.embedding as number[];
				expect(bits).toHaveLength(256);
				expect(bits.slice(0, 8)).toEqual(bitsOf(shake(documents[d][c], 8)));
			});
		});
	});

	it('takes the chunks as JSON text too', async () => {
		const result = await run(contextualized({ chunks: '["one", "two"]' }), [{ json: {} }]);
		expectPaired(result, 1);
		expect(requestsTo(CONTEXTUALIZED)[0].body).toMatchObject({ input: [['one', 'two']] });
	});

	it('packs documents up to 16,000 chunks per request', async () => {
		const items = itemsOf(3, (d) => ({
			// Short chunks: a document of more than 32,000 bytes would go in a request of its own.
			chunks: Array.from({ length: 5500 }, (_, c) => `${d}.${c}`),
		}));
		const result = await run(
			contextualized({ options: { dimensions: 128 }, requestOptions: { concurrency: 1 } }),
			items,
		);
		expectPaired(result, 3);
		expect(
			requestsTo(CONTEXTUALIZED).map((r) =>
				(bodyOf(r).input as string[][]).map((doc) => doc.length),
			),
		).toEqual([[5500, 5500], [5500]]);
		expect((result.items[2].json.embeddings as IDataObject[])[5499]).toMatchObject({
			index: 5499,
			text: '2.5499',
		});
	});

	it.each([
		['a text', 'just one text', 'Chunks: must be a list of texts, got "just one text" [item 1]'],
		['an empty list', [], 'Chunks: is an empty list: there is nothing to embed [item 1]'],
		[
			'a list of documents',
			[['a'], ['b']],
			'Chunks: entry 0 is a list: each item is one document, and its chunks are texts [item 1]',
		],
		['an empty chunk', ['a', ''], 'Chunks: entry 1 is empty [item 1]'],
		[
			'more chunks than a request takes',
			Array.from({ length: 16_001 }, () => 'c'),
			'Chunks: has 16001 chunks; Perplexity takes at most 16000 in a request [item 1]',
		],
	])('refuses %s before anything is sent', async (_name, chunks, message) => {
		const items = [docItems[0], { json: { chunks } }, docItems[2]];
		const failed = await run(contextualized(), items as INodeExecutionData[]);
		expect(failed.error?.message).toBe(message);
		expect(env.sandbox.requests()).toHaveLength(0);
		const marked = await run(contextualized(), items as INodeExecutionData[], true);
		expect(marked.items[1].json).toMatchObject({ error: message, item: 1 });
		expect(requestsTo(CONTEXTUALIZED).map((r) => bodyOf(r).input)).toEqual([
			[documents[0], documents[2]],
		]);
	});

	it('retries a 5xx, and with Continue On Fail marks the documents of a request that keeps failing', async () => {
		const flaky = [...docItems, { json: { chunks: ['x [[sandbox:server_error times=2]]'] } }];
		const retried = await run(contextualized(), flaky);
		expectPaired(retried, 4);
		expect(requestsTo(CONTEXTUALIZED)).toHaveLength(3);

		env.sandbox.reset();
		const broken = [...docItems, { json: { chunks: ['x [[sandbox:server_error]]'] } }];
		const marked = await run(
			contextualized({ requestOptions: { maxPerRequest: 2, maxRetries: 0 } }),
			broken,
			true,
		);
		expectPaired(marked, 4);
		expect(marked.items.map(({ json }) => json.error === undefined)).toEqual([
			true,
			true,
			false,
			false,
		]);
		expect(marked.items[3].json.error).toBe(
			'Perplexity API error 500 (internal_error): An internal error occurred. Please retry. [item 3]',
		);
	});
});

describe('Options → Add Run Totals', () => {
	/**
	 * The usage the sandbox answered each successful request with, got by sending its logged body
	 * again: the sandbox's answer depends on the request alone (A28), so these are the figures the
	 * node was sent. Answers a fault rule served instead are left out.
	 */
	async function usagesAnswered(path: string): Promise<IDataObject[]> {
		const answered = requestsTo(path).filter(
			(entry) => entry.status === 200 && entry.fault === null,
		);
		const usages: IDataObject[] = [];
		for (const entry of answered) {
			const response = await fetch(`${env.sandbox.url}${path}`, {
				method: 'POST',
				headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
				body: JSON.stringify(entry.body),
			});
			expect(response.status).toBe(200);
			usages.push(((await response.json()) as IDataObject).usage as IDataObject);
		}
		return usages;
	}

	/** What the requests report, added up here by hand: the figures the node must arrive at. */
	function expectSummed(totals: IDataObject, usages: IDataObject[]) {
		const sum = (pick: (usage: IDataObject) => unknown) =>
			usages.reduce((total, usage) => total + Number(pick(usage)), 0);
		const cost = (usage: IDataObject) => usage.cost as IDataObject;
		expect(totals).toMatchObject({
			prompt_tokens: sum((u) => u.prompt_tokens),
			total_tokens: sum((u) => u.total_tokens),
		});
		expect(Object.keys(cost(totals)).sort()).toEqual(['currency', 'input_cost', 'total_cost']);
		expect(cost(totals).currency).toBe('USD');
		expect(cost(totals).input_cost).toBeCloseTo(
			sum((u) => cost(u).input_cost),
			12,
		);
		expect(cost(totals).total_cost).toBeCloseTo(
			sum((u) => cost(u).total_cost),
			12,
		);
	}

	it('Create Embeddings: the last item carries the usage of every request, summed', async () => {
		const result = await run(
			create({
				options: { addRunTotals: true },
				requestOptions: { maxPerRequest: 2, concurrency: 2 },
			}),
			texts(5, (i) => `Text number ${i} ${'word '.repeat(i * 7)}`),
		);
		expectPaired(result, 5);
		expect(requestsTo(EMBEDDINGS)).toHaveLength(3);
		const usages = await usagesAnswered(EMBEDDINGS);
		expect(new Set(usages.map((u) => u.total_tokens)).size).toBe(3);
		const { items } = result;
		items.slice(0, 4).forEach(({ json }) => expect(json).not.toHaveProperty('run_totals'));
		expect(Object.keys(items[4].json)).toEqual(['text', 'embedding', 'model', 'run_totals']);
		const totals = items[4].json.run_totals as IDataObject;
		expect(totals).toMatchObject({ items: 5, failed: 0 });
		expectSummed(totals, usages);
		expect(Number(totals.total_tokens)).toBeGreaterThan(Number(usages[0].total_tokens));
	});

	it('Create Contextualized Embeddings: the same, over documents in several requests', async () => {
		const documents = itemsOf(5, (d) => ({
			chunks: Array.from({ length: d + 1 }, (_, c) => `Document ${d}, chunk ${c}.`),
		}));
		const result = await run(
			contextualized({
				options: { addRunTotals: true, dimensions: 128 },
				requestOptions: { maxPerRequest: 2 },
			}),
			documents,
		);
		expectPaired(result, 5);
		expect(requestsTo(CONTEXTUALIZED)).toHaveLength(3);
		const totals = result.items[4].json.run_totals as IDataObject;
		expect(totals).toMatchObject({ items: 5, failed: 0 });
		expectSummed(totals, await usagesAnswered(CONTEXTUALIZED));
	});

	it('with Continue On Fail: failed items are counted, and a failed or retried attempt adds nothing', async () => {
		// The first request (items 0 and 2) is answered 500 once and then retried; item 1 is never
		// sent (an empty text); the request of item 5 keeps failing, so the last item is an error item.
		env.sandbox.addFault({ fault: 'server_error', times: 1, match: { path: EMBEDDINGS } });
		const items = texts(6, (i) =>
			i === 1 ? '' : i === 5 ? 'Text 5 [[sandbox:unavailable]]' : `Text ${i}`,
		);
		const result = await run(
			create({
				options: { addRunTotals: true },
				requestOptions: { maxPerRequest: 2, maxRetries: 1, concurrency: 1 },
			}),
			items,
			true,
		);
		expectPaired(result, 6);
		expect(result.items.map(({ json }) => json.error === undefined)).toEqual([
			true,
			false,
			true,
			true,
			true,
			false,
		]);
		expect(requestsTo(EMBEDDINGS).map((r) => r.status)).toEqual([500, 200, 200, 503, 503]);
		const last = result.items[5].json;
		expect(last).toMatchObject({ error: expect.stringContaining('[item 5]'), item: 5 });
		const totals = last.run_totals as IDataObject;
		expect(totals).toMatchObject({ items: 6, failed: 2 });
		const usages = await usagesAnswered(EMBEDDINGS);
		expect(usages).toHaveLength(2);
		expectSummed(totals, usages);
	});

	it('an answer whose vectors do not fit fails its items, and its usage still counts', async () => {
		const reported = {
			prompt_tokens: 900,
			total_tokens: 900,
			cost: { input_cost: 0.000027, total_cost: 0.000027, currency: 'USD' },
		};
		env.sandbox.addFault({
			fault: 'replay',
			times: 1,
			match: { path: EMBEDDINGS },
			body: { object: 'list', data: [], model: 'pplx-embed-v1-4b', usage: reported },
		});
		const result = await run(
			create({
				options: { addRunTotals: true },
				requestOptions: { maxPerRequest: 2, concurrency: 1 },
			}),
			texts(4),
			true,
		);
		expectPaired(result, 4);
		expect(result.items[0].json.error).toContain('no embedding for index 0');
		expect(requestsTo(EMBEDDINGS).map((r) => [r.status, r.fault])).toEqual([
			[200, 'replay'],
			[200, null],
		]);
		const totals = result.items[3].json.run_totals as IDataObject;
		expect(totals).toMatchObject({ items: 4, failed: 2 });
		expectSummed(totals, [reported, ...(await usagesAnswered(EMBEDDINGS))]);
	});

	it('is off unless asked for', async () => {
		for (const options of [{}, { addRunTotals: false }]) {
			env.sandbox.reset();
			const result = await run(create({ options, requestOptions: { maxPerRequest: 2 } }), texts(3));
			expectPaired(result, 3);
			expect(requestsTo(EMBEDDINGS)).toHaveLength(2);
			result.items.forEach(({ json }) => expect(json).not.toHaveProperty('run_totals'));
		}
		const documents = await run(contextualized(), [{ json: { chunks: ['a', 'b'] } }]);
		expect(documents.items[0].json).not.toHaveProperty('run_totals');
	});
});
