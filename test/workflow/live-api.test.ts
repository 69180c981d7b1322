import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { runNode } from '../helpers/harness';
import { API_KEY, chat, completions, expectNoKey, runChat, useSandbox } from './support';

/**
 * The node against the API as it really behaves: a refused field names the option behind it,
 * usage arrives whole on both APIs, and a Base URL that cannot be reached says so in plain words.
 */

const env = useSandbox();

/** The Agent API's answer to a field it does not know (perplexity-api.md §2). */
const unknownField = (field: string) => ({
	fault: 'bad_request' as const,
	message: `invalid request body: json: unknown field "${field}"`,
});

describe('a field the API refuses', () => {
	it('names the option that sent it when the node added it: Force Web Search', async () => {
		const { sandbox } = env;
		sandbox.addFault(unknownField('tool_choice'));
		const result = await runChat(sandbox, chat({ searchOptions: { alwaysSearch: true } }));
		expect(result.error).toBeInstanceOf(NodeApiError);
		const error = result.error as NodeApiError;
		expect(error.message).toBe(
			'The Agent API refused tool_choice, which Search → Force Web Search sends: turn that option off or remove it [item 0]',
		);
		expect(error.description).toContain(
			'Perplexity API error 400 (invalid_request): invalid request body: json: unknown field "tool_choice".',
		);
		expect(completions(sandbox)[0].body).toHaveProperty('tool_choice');
		// A 400 is not worth another try.
		expect(completions(sandbox)).toHaveLength(1);
		expectNoKey(result);
	});

	it('names Temperature, which the Agent API takes only from its docs', async () => {
		const { sandbox } = env;
		sandbox.addFault(unknownField('temperature'));
		const result = await runChat(sandbox, chat({ options: { temperature: 0.5 } }), {
			continueOnFail: true,
		});
		expect(result.items[0].json.error).toBe(
			'The Agent API refused temperature, which Options → Temperature sends: turn that option off or remove it [item 0]',
		);
	});

	it('gives the plain API message for a field the node did not send', async () => {
		const { sandbox } = env;
		sandbox.addFault(unknownField('tool_choice'));
		const result = await runChat(sandbox, chat(), { continueOnFail: true });
		expect(completions(sandbox)[0].body).not.toHaveProperty('tool_choice');
		expect(result.items[0].json.error).toBe(
			'Perplexity API error 400 (invalid_request): invalid request body: json: unknown field "tool_choice" [item 0]',
		);
	});
});

describe('usage reaches the output whole, under one naming on both APIs', () => {
	const shared = ['prompt_tokens', 'completion_tokens', 'total_tokens'];
	const sharedCost = ['input_tokens_cost', 'output_tokens_cost', 'total_cost'];

	it.each([
		['Agent API', 'agent', false],
		['Agent API, streamed', 'agent', true],
		['Sonar', 'sonar', false],
		['Sonar, streamed', 'sonar', true],
	])('%s, full output and Simplify Output', async (_name, api, stream) => {
		const { sandbox } = env;
		const full = await runChat(sandbox, chat({ api, requestOptions: { stream } }));
		const simple = await runChat(
			sandbox,
			chat({ api, simplify: true, requestOptions: { stream } }),
		);
		// Sonar sends reasoning_tokens only for models that reason: the recorded live usage of sonar
		// has none.
		const keys = api === 'agent' ? [...shared, 'reasoning_tokens'] : shared;
		for (const result of [full, simple]) {
			expect(result.error).toBeUndefined();
			const usage = result.items[0].json.usage as IDataObject;
			expect(Object.keys(usage)).toEqual(expect.arrayContaining(keys));
			expect(Object.keys(usage.cost as IDataObject)).toEqual(expect.arrayContaining(sharedCost));
			expect(usage).not.toHaveProperty('input_tokens');
			expect(usage.cost).not.toHaveProperty('input_cost');
		}
		const usage = full.items[0].json.usage as IDataObject;
		if (api === 'agent') {
			expect(usage).toHaveProperty('prompt_tokens_details');
			expect(usage).toHaveProperty('tool_calls_details');
			expect(usage.cost).toHaveProperty('currency', 'USD');
		} else {
			expect(usage).toHaveProperty('search_context_size');
			expect(usage.cost).toHaveProperty('request_cost');
		}
	});
});

describe('a Base URL that cannot be reached', () => {
	it('says that nothing listens there', async () => {
		const { sandbox } = env;
		// The sandbox's own port once it is closed: loopback, and certainly nothing listening.
		const { startSandbox } = await import('../sandbox/server');
		const closed = await startSandbox({ port: 0, apiKey: API_KEY, quiet: true });
		await closed.stop();
		const result = await runNode({
			parameters: chat({ requestOptions: { maxRetries: 0 } }),
			credentials: { apiKey: API_KEY, baseUrl: closed.url },
		});
		expect(result.error?.message).toBe(
			`Could not reach ${closed.url} (ECONNREFUSED: nothing accepts connections at that address and port): check the Base URL in the Perplexity Chat API credential [item 0]`,
		);
		expect(completions(sandbox)).toHaveLength(0);
		expectNoKey(result);
	});

	it('says which address failed and why, and where to fix it, without the key', async () => {
		const result = await runNode({
			parameters: chat({ requestOptions: { maxRetries: 0 } }),
			credentials: { apiKey: API_KEY, baseUrl: 'https://perplexity-sandbox.invalid/' },
		});
		expect(result.error).toBeInstanceOf(NodeApiError);
		// ENOTFOUND where a resolver answers; EAI_AGAIN where none can be asked.
		expect(result.error?.message).toMatch(
			/^Could not reach https:\/\/perplexity-sandbox\.invalid \((ENOTFOUND: the host name does not resolve|EAI_AGAIN: the host name could not be looked up just now)\): check the Base URL in the Perplexity Chat API credential \[item 0\]$/,
		);
		expectNoKey(result);
	});
});
