import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { chat, completions, expectNoKey, model, runChat, useSandbox } from './support';

const env = useSandbox();

const research = (requestOptions: IDataObject, extra: INodeParameters = {}) =>
	chat({
		model: model('sonar-deep-research'),
		requestOptions: { pollInterval: 1, ...requestOptions },
		...extra,
	});

const getResponse = (responseId: string, extra: INodeParameters = {}) => ({
	operation: 'getResponse',
	responseId,
	requestOptions: { pollInterval: 1 },
	...extra,
});

describe('Background Mode', () => {
	it('Submit and Wait polls until the run is done and outputs the usual answer', async () => {
		const { sandbox } = env;
		sandbox.configure({ backgroundMs: 1500 });
		const result = await runChat(sandbox, research({ background: 'wait' }));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			object: 'chat.completion',
			choices: [{ finish_reason: 'stop', message: { content: expect.stringContaining('[1]') } }],
		});
		const requests = sandbox.requests();
		expect(requests[0]).toMatchObject({ method: 'POST', path: '/v1/agent' });
		expect(requests[0].body).toMatchObject({ preset: 'medium', background: true });
		const polls = requests.filter((request) => request.method === 'GET');
		expect(polls.length).toBeGreaterThanOrEqual(2);
		expect(
			polls.every((poll) => poll.path === `/v1/responses/${String(result.items[0].json.id)}`),
		).toBe(true);
		expectNoKey(result);
	});

	it('Submit Only outputs the run ID at once; Get Response fetches the answer later', async () => {
		const { sandbox } = env;
		sandbox.configure({ backgroundMs: 1200 });
		const submitted = await runChat(sandbox, research({ background: 'submit' }));
		expect(submitted.items[0].json).toEqual({
			id: expect.stringMatching(/^resp_/),
			object: 'response',
			status: 'queued',
			model: expect.any(String),
			created: expect.any(Number),
		});
		const id = submitted.items[0].json.id as string;

		const early = await runChat(sandbox, getResponse(id, { waitForCompletion: false }));
		expect(early.items[0].json).toMatchObject({ id, status: 'in_progress' });

		const fetched = await runChat(sandbox, getResponse(id, { simplify: true }));
		expect(fetched.error).toBeUndefined();
		expect(fetched.items[0].json).toMatchObject({
			id,
			content: expect.stringContaining('What is new in fusion energy?'),
			finish_reason: 'stop',
			citations: expect.arrayContaining([expect.stringMatching(/^https:/)]),
		});
		expect(completions(sandbox)).toHaveLength(1);
	});

	it('gives up after Max Wait with the ID to fetch later', async () => {
		const { sandbox } = env;
		sandbox.configure({ backgroundMs: 60_000 });
		const result = await runChat(sandbox, research({ background: 'wait', maxWait: 1 }), {
			continueOnFail: true,
		});
		const error = result.items[0].json.error as string;
		expect(error).toMatch(
			/^The background run resp_[\w-]+ was still (queued|in_progress) after 1 s \[item 0\]$/,
		);
		const id = /resp_[\w-]+/.exec(error)?.[0];
		expect(result.items[0].json.description).toContain(`Get Response operation and ID ${id}`);
	});

	it('reports a background run that failed', async () => {
		const { sandbox } = env;
		sandbox.configure({ backgroundMs: 300 });
		sandbox.addFault({ fault: 'failed', times: 1, message: 'Research crashed' });
		const result = await runChat(sandbox, research({ background: 'wait' }));
		expect(result.error?.message).toMatch(
			/^The Agent run failed( \(\w+\))?: Research crashed \[item 0\]$/,
		);
	});

	it('Get Response reports an unknown ID as not found, without retrying', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, getResponse('resp_doesnotexist'));
		expect(result.error?.message).toMatch(
			/^Perplexity API error 404 \(not_found\): .+ \[item 0\]$/,
		);
		expect(sandbox.requests()).toHaveLength(1);
	});

	it('is not offered with Stream Response', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, research({ background: 'wait', stream: true }));
		expect(result.error?.message).toBe(
			'Request Options → Background Mode: cannot be combined with Stream Response: a background run is fetched when it is done [item 0]',
		);
		expect(sandbox.requests()).toEqual([]);
	});
});
