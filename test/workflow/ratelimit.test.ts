import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RequestEntry } from '../sandbox/server';
import { chat, completions, expectNoKey, itemsOf, runChat, useSandbox } from './support';

/**
 * The probe: Concurrency 20 against a limit of 10 requests per window (the sandbox's own
 * limiter; 1 s windows instead of 2 s to keep the suite short). Every test counts requests and
 * 429s, never time. All tests of this file share one rate state (same key, same Base URL).
 */
const env = useSandbox();

jest.setTimeout(120_000);

const LIMIT = { limit: 10, windowMs: 1000 };

function parameters(requestOptions: IDataObject = {}): INodeParameters {
	return chat({
		prompt: '={{ $json.prompt }}',
		requestOptions: { concurrency: 20, stream: false, ...requestOptions },
	});
}

const questions = (count: number, tag = '') =>
	itemsOf(count, (index) => ({ prompt: `Question ${tag}${index}?` }));

const byPrompt = (requests: RequestEntry[], prompt: string) =>
	requests.filter((request) => request.prompt === prompt);

/** Every item answered, in order, paired to its input, by exactly one successful request. */
function expectAllAnswered(
	result: Awaited<ReturnType<typeof runChat>>,
	requests: RequestEntry[],
	count: number,
	tag = '',
) {
	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(count);
	result.items.forEach((item, index) => {
		const prompt = `Question ${tag}${index}?`;
		expect(item.pairedItem).toEqual({ item: index });
		const content = ((item.json.choices as IDataObject[])[0].message as IDataObject).content;
		expect(content).toContain(prompt);
		expect(byPrompt(requests, prompt).filter((request) => request.status === 200)).toHaveLength(1);
	});
	expectNoKey(result);
}

const rateLimited = (requests: RequestEntry[]) =>
	requests.filter((request) => request.status === 429);

describe('under the sandbox limit of 10 requests per window, at Concurrency 20', () => {
	it('100 items: none lost, each answered once, at most 5 % of requests answered 429', async () => {
		const { sandbox } = env;
		sandbox.configure({ latencyMs: 100, rateLimit: LIMIT });
		const result = await runChat(sandbox, parameters(), { items: questions(100) });
		const requests = completions(sandbox);
		expectAllAnswered(result, requests, 100);
		expect(requests.filter((request) => request.status === 200)).toHaveLength(100);
		expect(rateLimited(requests).length).toBeLessThanOrEqual(5);
	});

	it('two executions at the same time share the limit: none lost, each answered once', async () => {
		const { sandbox } = env;
		sandbox.configure({ latencyMs: 100, rateLimit: LIMIT });
		const [first, second] = await Promise.all([
			runChat(sandbox, parameters(), { items: questions(100, 'A') }),
			runChat(sandbox, parameters(), { items: questions(100, 'B') }),
		]);
		const requests = completions(sandbox);
		expectAllAnswered(first, requests, 100, 'A');
		expectAllAnswered(second, requests, 100, 'B');
		expect(requests.filter((request) => request.status === 200)).toHaveLength(200);
		expect(rateLimited(requests).length).toBeLessThanOrEqual(10);
	});

	it('a wait for a rate limit is not a retry: Max Retries 0 still outlasts three 429s', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, parameters({ maxRetries: 0, concurrency: 4 }), {
			items: itemsOf(4, (index) => ({
				prompt: `Question ${index}? [[sandbox:rate_limit times=3 retryAfterMs=20]]`,
			})),
		});
		const requests = completions(sandbox);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(4);
		result.items.forEach((item, index) => {
			expect(item.json.object).toBe('chat.completion');
			const attempts = requests.filter((request) =>
				request.prompt?.startsWith(`Question ${index}?`),
			);
			expect(attempts.map((attempt) => attempt.status)).toEqual([429, 429, 429, 200]);
		});
	});

	it('a 429 storm longer than Max Wait for Rate Limit fails the items, naming that limit and the tier', async () => {
		const { sandbox } = env;
		sandbox.addFault({ fault: 'rate_limit', retryAfter: 1 });
		const result = await runChat(
			sandbox,
			parameters({ maxRateLimitWait: 2, maxRetries: 5, concurrency: 3 }),
			{ items: questions(3, 'storm '), continueOnFail: true },
		);
		const requests = completions(sandbox);
		expect(result.items).toHaveLength(3);
		result.items.forEach((item, index) => {
			expect(item.json.error).toBe(
				`Perplexity's rate limit did not clear within Max Wait for Rate Limit (2 s): Perplexity API error 429 (request_rate_limit_exceeded): Rate limit exceeded. Please retry after the reset time. [item ${index}]`,
			);
			expect(item.json.description).toMatch(/usage tier/);
			expect(item.json.httpCode).toBe('429');
		});
		expect(requests.every((request) => request.status === 429)).toBe(true);
		expectNoKey(result);
	});
});
