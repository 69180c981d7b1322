import { InputError } from '../../nodes/PerplexityChat/helpers/inputError';
import { resolveModelSettings } from '../../nodes/LmChatPerplexity/helpers/settings';

const model = (value: string, options = {}, search = {}, request = {}) =>
	resolveModelSettings(value, options, search, request);

describe('Perplexity Chat Model settings', () => {
	test('defaults: sonar runs as perplexity/sonar with the web_search tool, nothing else', () => {
		expect(model('sonar')).toEqual({
			modelId: 'sonar',
			body: { model: 'perplexity/sonar', tools: [{ type: 'web_search' }] },
			webSearch: true,
			appendSources: true,
			timeoutMs: 15 * 60 * 1000,
			maxRetries: 2,
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
			{ timeout: 30000, maxRetries: 0 },
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
		expect(settings).toEqual(
			expect.objectContaining({ appendSources: false, timeoutMs: 30000, maxRetries: 0 }),
		);
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
	});
});
