import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../helpers/harness';
import type { Sandbox } from '../sandbox/server';
import { API_KEY, chat, completions, itemsOf, model, useSandbox } from './support';

/**
 * A user who stops an execution does not wait out a minute-long Retry-After, poll interval,
 * batch pause or rate-limit slot: the run ends as canceled and nothing further is sent. Each
 * wait here is a minute, and jest's timeout (15 s) bounds the test.
 */

const env = useSandbox();

jest.setTimeout(15_000);

const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the sandbox has answered `count` requests, i.e. the node is now waiting. */
async function answered(sandbox: Sandbox, count: number): Promise<void> {
	while (sandbox.requests().filter((request) => request.status !== null).length < count) {
		await pause(20);
	}
}

async function cancelWhileWaiting(parameters: INodeParameters, items = 1) {
	const { sandbox } = env;
	const controller = new AbortController();
	const running = runNode({
		parameters,
		items: itemsOf(items, (index) => ({ prompt: `Question ${index}?` })),
		credentials: { apiKey: API_KEY, baseUrl: env.sandbox.url },
		signal: controller.signal,
	});
	await answered(sandbox, 1);
	const seenBeforeCancel = sandbox.requests().length;
	controller.abort();
	const result = await running;
	return { result, seenBeforeCancel };
}

const perItem = (requestOptions: INodeParameters, extra: INodeParameters = {}) =>
	chat({ prompt: '={{ $json.prompt }}', requestOptions, ...extra });

describe('stopping an execution ends the wait at once', () => {
	it('between the polls of a background run', async () => {
		env.sandbox.configure({ backgroundMs: 120_000 });
		const { result } = await cancelWhileWaiting(
			perItem({ background: 'wait', pollInterval: 60 }, { model: model('sonar-deep-research') }),
		);
		expect(result.status).toBe('canceled');
		expect(env.sandbox.requests().map(({ method }) => method)).toEqual(['POST']);
	});

	it('in a pause between batches', async () => {
		const { result } = await cancelWhileWaiting(
			perItem({ concurrency: 1, batchInterval: 60_000, stream: false }),
			3,
		);
		expect(result.status).toBe('canceled');
		expect(completions(env.sandbox)).toHaveLength(1);
	});

	it('while waiting for a slot under Max Requests per Minute', async () => {
		const { result } = await cancelWhileWaiting(
			perItem({ concurrency: 3, requestsPerMinute: 1, stream: false }),
			3,
		);
		expect(result.status).toBe('canceled');
		expect(completions(env.sandbox)).toHaveLength(1);
	});

	// Last: Perplexity's 60 s pause holds every later request on this key and Base URL in this
	// process, so a test after it would wait it out too.
	it('during a Retry-After of 60 s', async () => {
		env.sandbox.addFault({ fault: 'rate_limit', retryAfter: 60 });
		const { result, seenBeforeCancel } = await cancelWhileWaiting(
			perItem({ maxRetries: 2, stream: false }),
		);
		expect(result.status).toBe('canceled');
		expect(seenBeforeCancel).toBe(1);
		expect(env.sandbox.requests()).toHaveLength(1);
		expect(env.sandbox.requests()[0].status).toBe(429);
	});
});
