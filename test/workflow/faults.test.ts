import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RequestEntry } from '../sandbox/server';
import { chat, completions, expectNoKey, itemsOf, runChat, useSandbox } from './support';

const env = useSandbox();

// A 429 now pauses every request on the key for the time the server gives (up to 2 s here), so
// the batches with rate limits take several seconds; this bounds them, it measures nothing.
jest.setTimeout(30_000);

const ITEMS = 12;
const MAX_RETRIES = 2;

/** Items whose index is a multiple of three carry the fault; the others are clean. */
const faulty = (index: number) => index % 3 === 0;

function parameters(extraRequestOptions: IDataObject = {}): INodeParameters {
	return chat({
		prompt: '={{ $json.prompt }}',
		requestOptions: { concurrency: 4, maxRetries: MAX_RETRIES, ...extraRequestOptions },
	});
}

function prompts(directive: string) {
	return itemsOf(ITEMS, (index) => ({
		prompt: `Question ${index}?${faulty(index) ? ` ${directive}` : ''}`,
	}));
}

const byPrompt = (requests: RequestEntry[], index: number) =>
	requests.filter((request) => request.prompt?.startsWith(`Question ${index}?`));

/** What every fault test proves about a batch whose faulty items recover within the retries. */
function expectRecovered(
	result: Awaited<ReturnType<typeof runChat>>,
	requests: RequestEntry[],
	failuresPerFaultyItem: number,
) {
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(ITEMS);
	result.items.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		expect(item.json.object).toBe('chat.completion');
		const content = ((item.json.choices as IDataObject[])[0].message as IDataObject).content;
		expect(content).toContain(`Question ${index}?`);

		const attempts = byPrompt(requests, index);
		expect(attempts.length).toBe(faulty(index) ? failuresPerFaultyItem + 1 : 1);
		expect(attempts.length).toBeLessThanOrEqual(MAX_RETRIES + 1);
		// Exactly one request of each item succeeded: nothing that had an answer was sent again.
		expect(attempts.filter((attempt) => attempt.status === 200 && !attempt.fault)).toHaveLength(1);
	});
	expectNoKey(result);
}

describe('faults are retried per request, and every item is answered once', () => {
	it.each([
		['[[sandbox:rate_limit times=2 retryAfterMs=20]]', 2],
		['[[sandbox:rate_limit times=2 retryAfter=0]]', 2],
		['[[sandbox:rate_limit times=1]]', 1],
		['[[sandbox:server_error times=2]]', 2],
		['[[sandbox:bad_gateway times=1]]', 1],
		['[[sandbox:unavailable times=2]]', 2],
		['[[sandbox:reset times=2]]', 2],
		['[[sandbox:malformed_json times=1]]', 1],
	])('%s', async (directive, times) => {
		const { sandbox } = env;
		const result = await runChat(sandbox, parameters(), { items: prompts(directive) });
		expectRecovered(result, completions(sandbox), times);
	});

	it('a slow first byte beyond the timeout', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, parameters({ timeout: 400 }), {
			items: prompts('[[sandbox:slow_first_byte times=1 delayMs=1500]]'),
		});
		const requests = completions(sandbox);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(ITEMS);
		result.items.forEach((item, index) => {
			expect(item.json.object).toBe('chat.completion');
			expect(byPrompt(requests, index)).toHaveLength(faulty(index) ? 2 : 1);
		});
	});

	it.each(['stream_cut', 'stream_error', 'reset'])(
		'a stream broken by %s, before any text was passed on',
		async (fault) => {
			const { sandbox } = env;
			const result = await runChat(sandbox, parameters({ stream: true }), {
				items: prompts(`[[sandbox:${fault} times=1]]`),
			});
			const requests = completions(sandbox);
			expect(requests.every((request) => request.stream)).toBe(true);
			expectRecovered(result, requests, 1);
		},
	);

	it('rate limits from the server itself, honouring x-ratelimit-reset', async () => {
		const { sandbox } = env;
		sandbox.configure({ rateLimit: { limit: 6, windowMs: 1000 } });
		const result = await runChat(sandbox, parameters({ concurrency: 10, maxRetries: 5 }), {
			items: prompts(''),
		});
		const requests = completions(sandbox);
		expect(requests.some((request) => request.status === 429)).toBe(true);
		expect(result.error).toBeUndefined();
		result.items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.object).toBe('chat.completion');
			expect(byPrompt(requests, index).filter((request) => request.status === 200)).toHaveLength(1);
		});
	});

	it('stays under Max Requests per Minute', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, parameters({ concurrency: 10, requestsPerMinute: 600 }), {
			items: itemsOf(6, (index) => ({ prompt: `Question ${index}?` })),
		});
		expect(result.items).toHaveLength(6);
		const starts = completions(sandbox)
			.map((request) => request.startedAt)
			.sort((a, b) => a - b);
		// 600 per minute is one every 100 ms: six starts span at least 500 ms.
		expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(450);
	});

	it('two executions at once share Max Requests per Minute on one credential', async () => {
		const { sandbox } = env;
		const run = (tag: string) =>
			runChat(sandbox, parameters({ concurrency: 10, requestsPerMinute: 600 }), {
				items: itemsOf(3, (index) => ({ prompt: `Question ${tag}${index}?` })),
			});
		const results = await Promise.all([run('A'), run('B')]);
		for (const result of results) expect(result.items).toHaveLength(3);
		const starts = completions(sandbox)
			.map((request) => request.startedAt)
			.sort((a, b) => a - b);
		expect(starts).toHaveLength(6);
		// One cap for both: six starts a tenth of a second apart, not two runs of three side by side.
		expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(450);
	});
});

describe('when retries run out', () => {
	it('the item fails with the attempts and the last status, and the others are unaffected', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, parameters(), {
			continueOnFail: true,
			items: prompts('[[sandbox:unavailable times=5]]'),
		});
		const requests = completions(sandbox);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(ITEMS);
		result.items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			if (faulty(index)) {
				expect(item.json.error).toBe(
					`Perplexity API error 503 (service_unavailable): The service is temporarily unavailable. Please retry shortly. [3 attempts, last status 503] [item ${index}]`,
				);
				expect(byPrompt(requests, index)).toHaveLength(MAX_RETRIES + 1);
			} else {
				expect(item.json.object).toBe('chat.completion');
				expect(byPrompt(requests, index)).toHaveLength(1);
			}
		});
		expectNoKey(result);
	});

	it('without Continue On Fail the node fails with the first failing item and stops starting new ones', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, parameters({ concurrency: 1, maxRetries: 0 }), {
			items: prompts('[[sandbox:server_error]]'),
		});
		expect(result.items).toEqual([]);
		expect(result.error?.message).toMatch(
			/^Perplexity API error 500 \(internal_error\): .+ \[item 0\]$/,
		);
		expect(completions(sandbox)).toHaveLength(1);
	});
});

describe('errors that retrying cannot fix are not retried', () => {
	it.each([
		['bad_request', 400, /^Perplexity API error 400 \(invalid_request\)/],
		['fastapi_422', 422, /^Perplexity API error 422 \(validation_error\): .+/],
		['html_401', 401, /^Perplexity API error 401 \(html_error_page\): .*401/],
		['failed', 200, /^The Agent run failed/],
	])('%s', async (fault, status, message) => {
		const { sandbox } = env;
		const result = await runChat(sandbox, parameters(), {
			continueOnFail: true,
			items: prompts(`[[sandbox:${fault}]]`),
		});
		const requests = completions(sandbox);
		result.items.forEach((item, index) => {
			if (!faulty(index)) return expect(item.json.object).toBe('chat.completion');
			expect(item.json.error).toMatch(message);
			expect(item.json.error).toMatch(new RegExp(`\\[item ${index}\\]$`));
			const attempts = byPrompt(requests, index);
			expect(attempts).toHaveLength(1);
			expect(attempts[0].status).toBe(status);
		});
		expectNoKey(result);
	});
});
