import type { AiNodeSdk } from '../../nodes/LmChatPerplexity/sdk';
import type { INode } from 'n8n-workflow';

import { resolveModelSettings } from '../../nodes/LmChatPerplexity/helpers/settings';
import { perplexityChatModelClass } from '../../nodes/LmChatPerplexity/model';
import { InputError } from '../../nodes/PerplexityChat/helpers/inputError';
import type { CallOptions, PerplexityClient } from '../../nodes/PerplexityChat/transport/client';
import { readRecording } from '../helpers/recordings';

const model = (value: string, options = {}, search = {}, request = {}) =>
	resolveModelSettings(value, options, search, request);

describe('Perplexity Chat Model settings', () => {
	test('defaults: sonar runs as perplexity/sonar with the web_search tool, nothing else', () => {
		expect(model('sonar')).toEqual({
			modelId: 'sonar',
			body: { model: 'perplexity/sonar', tools: [{ type: 'web_search' }] },
			webSearch: true,
			appendSources: true,
			call: { timeoutMs: 15 * 60 * 1000, maxRetries: 2, maxRateLimitWaitMs: 10 * 60 * 1000 },
		});
	});

	test('a preset goes out bare; Disable Search drops the tool', () => {
		expect(model('fast').body).toEqual({ preset: 'fast' });
		const off = model('openai/gpt-5.1', {}, { disableSearch: true });
		expect(off.body).toEqual({ model: 'openai/gpt-5.1' });
		expect(off.webSearch).toBe(false);
	});

	test('options map to the same wire fields as in Perplexity Chat', () => {
		const settings = model(
			'sonar-pro',
			{
				maxTokens: 900,
				reasoningEffort: 'low',
				maxSteps: 4,
				fallbackModels: 'openai/gpt-5.1',
				appendSources: false,
			},
			{ domainFilter: 'nature.com, -reddit.com', recency: 'week', contextSize: 'high' },
			{ timeout: 30000, maxRetries: 0, maxRateLimitWait: 45 },
		);
		expect(settings.body).toEqual({
			preset: 'low',
			models: ['openai/gpt-5.1'],
			max_output_tokens: 900,
			reasoning: { effort: 'low' },
			max_steps: 4,
			tools: [
				{
					type: 'web_search',
					filters: {
						search_domain_filter: ['nature.com', '-reddit.com'],
						search_recency_filter: 'week',
					},
					search_context_size: 'high',
				},
			],
		});
		expect(settings.appendSources).toBe(false);
		expect(settings.call).toEqual({ timeoutMs: 30000, maxRetries: 0, maxRateLimitWaitMs: 45_000 });
	});

	test('Temperature and Top P are sent only when added', () => {
		expect(model('sonar').body).not.toHaveProperty('temperature');
		expect(model('sonar', { temperature: 0.3, topP: 0.8 }).body).toEqual(
			expect.objectContaining({ temperature: 0.3, top_p: 0.8 }),
		);
	});

	test('bad values name their field before anything is sent', () => {
		expect(() => model('sonar', { maxTokens: 0 })).toThrow(
			new InputError('Options → Max Tokens', 'must be between 1 and 128000, got 0'),
		);
		expect(() => model('anthropic/claude-sonnet-4-5')).toThrow(/Max Tokens.*required/);
		expect(() => model(' ')).toThrow(/Model/);
		expect(() => model('sonar', {}, {}, { maxRetries: 11 })).toThrow(/Max Retries/);
		expect(() => model('sonar', {}, {}, { maxRateLimitWait: 0 })).toThrow(
			new InputError(
				'Request Options → Max Wait for Rate Limit (Seconds)',
				'must be between 1 and 86400, got 0',
			),
		);
	});
});

describe('Perplexity Chat Model calls', () => {
	/** The part of n8n's AI node SDK the model class builds on; n8n provides the real one. */
	const sdk = {
		BaseChatModel: class {
			protected tools = [];
			constructor(
				readonly provider: string,
				readonly modelId: string,
			) {}
		},
		getParametersJsonSchema: () => ({}),
	} as unknown as AiNodeSdk;

	test('every request goes out with the Request Options, Max Wait for Rate Limit included', async () => {
		const calls: CallOptions[] = [];
		const client = {
			call: async (_request: unknown, options: CallOptions) => {
				calls.push(options);
				return { ok: true, body: readRecording('vercel-agent-web-search.json'), attempts: 1 };
			},
		} as unknown as PerplexityClient;
		const settings = resolveModelSettings('sonar', {}, {}, { maxRateLimitWait: 30, timeout: 5000 });
		const Model = perplexityChatModelClass(sdk);
		const chatModel = new Model({ client, node: {} as INode, settings, secrets: [] });
		await chatModel.generate([{ role: 'user', content: [{ type: 'text', text: 'Hi?' }] }]);
		expect(calls).toEqual([
			expect.objectContaining({ timeoutMs: 5000, maxRetries: 2, maxRateLimitWaitMs: 30_000 }),
		]);
	});
});
