import type { IDataObject } from 'n8n-workflow';

import { InputError } from '../../nodes/PerplexityChat/helpers/inputError';
import { buildAgentRequest, buildSonarRequest } from '../../nodes/PerplexityChat/helpers/requests';
import {
	type RawChatParameters,
	resolveChatSettings,
	resolveExecutionSettings,
} from '../../nodes/PerplexityChat/helpers/settings';
import { rawChatParameters } from '../helpers/chatParameters';

const raw = rawChatParameters;

const agent = (overrides: Partial<RawChatParameters> = {}) =>
	buildAgentRequest(resolveChatSettings(raw(overrides)));
const sonar = (overrides: Partial<RawChatParameters> = {}) =>
	buildSonarRequest(resolveChatSettings(raw({ api: 'sonar', ...overrides })));

const userInput = [{ role: 'user', content: 'What is new in fusion energy?' }];

describe('Agent API request', () => {
	it('sends only what was set: sonar is perplexity/sonar with the web_search tool, no tool_choice', () => {
		expect(agent()).toEqual({
			model: 'perplexity/sonar',
			input: userInput,
			tools: [{ type: 'web_search' }],
		});
	});

	it('sends a bare preset as recorded: no tool unless search settings need one', () => {
		expect(agent({ model: 'fast' })).toEqual({ preset: 'fast', input: userInput });
		expect(agent({ model: 'fast', searchOptions: { recency: 'year' } }).tools).toEqual([
			{ type: 'web_search', filters: { search_recency_filter: 'year' } },
		]);
	});

	it.each([
		['sonar', { model: 'perplexity/sonar' }],
		['sonar-pro', { preset: 'low' }],
		['sonar-reasoning', { preset: 'low' }],
		['sonar-reasoning-pro', { preset: 'low' }],
		['sonar-deep-research', { preset: 'medium' }],
		['fast', { preset: 'fast' }],
		['xhigh', { preset: 'xhigh' }],
		['pro-search', { preset: 'pro-search' }],
		['openai/gpt-5.1', { model: 'openai/gpt-5.1' }],
	])('maps the model %s the way Perplexity documents', (model, expected) => {
		const body = agent({ model });
		expect({ model: body.model, preset: body.preset }).toEqual({
			model: undefined,
			preset: undefined,
			...expected,
		});
	});

	it('sends a fallback chain as models, primary first', () => {
		const body = agent({
			model: 'openai/gpt-5.1',
			options: { fallbackModels: 'anthropic/claude-sonnet-4-5, perplexity/sonar' },
		});
		expect(body.model).toBeUndefined();
		expect(body.models).toEqual([
			'openai/gpt-5.1',
			'anthropic/claude-sonnet-4-5',
			'perplexity/sonar',
		]);
	});

	it('maps the seed parameters and never sends Top K or the penalties', () => {
		const body = agent({
			options: {
				maxTokens: 500,
				temperature: 0.7,
				topP: 0.5,
				topK: 40,
				frequencyPenalty: 1.2,
				presencePenalty: 0.5,
			},
		});
		expect(body).toMatchObject({ max_output_tokens: 500, temperature: 0.7, top_p: 0.5 });
		for (const sonarOnly of ['top_k', 'frequency_penalty', 'presence_penalty', 'max_tokens']) {
			expect(body).not.toHaveProperty(sonarOnly);
		}
	});

	it('puts every search setting on the web_search tool', () => {
		const body = agent({
			searchOptions: {
				domainFilter: 'nature.com, -reddit.com',
				publishedAfter: '2026-01-15T00:00:00',
				publishedBefore: '03/01/2026',
				updatedAfter: '2026-02-01',
				contextSize: 'high',
				userLocation: {
					location: { country: 'DE', city: 'Berlin', latitude: 52.5, longitude: 13.4 },
				},
				// Sonar-only settings left over from switching API are never sent.
				searchMode: 'academic',
				returnImages: true,
				languageFilter: 'de',
			},
		});
		expect(body.tools).toEqual([
			{
				type: 'web_search',
				filters: {
					search_domain_filter: ['nature.com', '-reddit.com'],
					search_after_date_filter: '01/15/2026',
					search_before_date_filter: '03/01/2026',
					last_updated_after_filter: '02/01/2026',
				},
				search_context_size: 'high',
				user_location: { latitude: 52.5, longitude: 13.4, country: 'DE', city: 'Berlin' },
			},
		]);
		expect(Object.keys(body).sort()).toEqual(['input', 'model', 'tools']);
	});

	it('forces search only when Force Web Search is on, and drops the tool when disabled', () => {
		const forced = agent({ searchOptions: { alwaysSearch: true } });
		expect(forced.tools).toEqual([{ type: 'web_search' }]);
		expect(forced.tool_choice).toEqual({ type: 'web_search' });

		const disabled = agent({ searchOptions: { disableSearch: true, recency: 'day' } });
		expect(disabled).not.toHaveProperty('tools');
		expect(disabled).not.toHaveProperty('tool_choice');
	});

	it('sends structured output, reasoning, language, steps, streaming and background', () => {
		const body = agent({
			options: {
				responseFormat: {
					jsonSchema: { name: 'facts', schema: '{"type":"object"}', strict: true, description: '' },
				},
				reasoningEffort: 'xhigh',
				languagePreference: 'fr',
				maxSteps: 4,
			},
			requestOptions: { background: 'wait' },
		});
		expect(body).toMatchObject({
			response_format: {
				type: 'json_schema',
				json_schema: { name: 'facts', schema: { type: 'object' }, strict: true },
			},
			reasoning: { effort: 'xhigh' },
			language_preference: 'fr',
			max_steps: 4,
			background: true,
		});
		expect(body).not.toHaveProperty('stream');
		expect(agent({ requestOptions: { stream: true } }).stream).toBe(true);
	});

	it('keeps system and assistant turns as input messages', () => {
		const body = agent({
			inputMode: 'messages',
			messages: {
				values: [
					{ role: 'system', content: 'Be brief.' },
					{ role: 'user', content: 'Hi' },
					{ role: 'assistant', content: 'Hello!' },
					{ role: 'user', content: 'Weather?' },
				],
			},
		});
		expect(body.input).toEqual([
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello!' },
			{ role: 'user', content: 'Weather?' },
		]);
	});

	it('turns a single prompt with a system prompt into two messages', () => {
		expect(agent({ systemPrompt: 'Answer in French' }).input).toEqual([
			{ role: 'system', content: 'Answer in French' },
			...userInput,
		]);
	});

	it('streams when the caller streams and the option is left out, not when it is off', () => {
		expect(resolveChatSettings(raw(), true).stream).toBe(true);
		expect(resolveChatSettings(raw({ requestOptions: { stream: false } }), true).stream).toBe(
			false,
		);
		expect(resolveChatSettings(raw(), false).stream).toBe(false);
	});

	it('continues from a response ID (version 2): previous_response_id, the question alone as input', () => {
		const previousResponseId = ' resp_00000000-0000-4000-8000-000000000001 ';
		expect(
			agent({ version: 2, prompt: 'And its atmosphere?', options: { previousResponseId } }),
		).toEqual({
			model: 'perplexity/sonar',
			input: [{ role: 'user', content: 'And its atmosphere?' }],
			previous_response_id: 'resp_00000000-0000-4000-8000-000000000001',
			tools: [{ type: 'web_search' }],
		});
		// Empty (e.g. an expression on the first turn of a loop): a new conversation.
		expect(agent({ version: 2, options: { previousResponseId: '' } })).not.toHaveProperty(
			'previous_response_id',
		);
		// Version 1 has no such option; on Sonar it is hidden, and a value left over is not sent.
		expect(agent({ options: { previousResponseId } })).not.toHaveProperty('previous_response_id');
		expect(sonar({ version: 2, options: { previousResponseId } })).not.toHaveProperty(
			'previous_response_id',
		);
	});

	it('refuses a response ID that would change the request, naming the option', () => {
		const read = () =>
			resolveChatSettings(raw({ version: 2, options: { previousResponseId: 'resp_1 resp_2' } }));
		expect(read).toThrow(InputError);
		expect(read).toThrow(
			'Options → Continue From Response ID: "resp_1 resp_2" is not a response ID',
		);
	});
});

describe('Sonar request', () => {
	it("sends the seed's parameters under their wire names", () => {
		const body = sonar({
			model: 'sonar-pro',
			options: {
				maxTokens: 300,
				temperature: 0.2,
				topP: 0.9,
				topK: 0,
				frequencyPenalty: 1,
				presencePenalty: 0,
				reasoningEffort: 'low',
			},
		});
		expect(body).toEqual({
			model: 'sonar-pro',
			messages: [{ role: 'user', content: 'What is new in fusion energy?' }],
			max_tokens: 300,
			temperature: 0.2,
			top_p: 0.9,
			top_k: 0,
			frequency_penalty: 1,
			presence_penalty: 0,
			reasoning_effort: 'low',
		});
	});

	it('sends the Sonar search options at the top level and in web_search_options', () => {
		const body = sonar({
			searchOptions: {
				domainFilter: 'arxiv.org',
				recency: 'month',
				contextSize: 'medium',
				userLocation: { location: { country: 'FR', latitude: 0, longitude: 0, city: '' } },
				searchMode: 'academic',
				returnImages: true,
				returnRelatedQuestions: true,
				languageFilter: 'en, fr',
				disableSearch: false,
				// Agent-only settings are never sent to Sonar.
				alwaysSearch: true,
			},
		});
		expect(body).toEqual({
			model: 'sonar',
			messages: [{ role: 'user', content: 'What is new in fusion energy?' }],
			search_mode: 'academic',
			search_domain_filter: ['arxiv.org'],
			search_recency_filter: 'month',
			search_language_filter: ['en', 'fr'],
			return_images: true,
			return_related_questions: true,
			web_search_options: { search_context_size: 'medium', user_location: { country: 'FR' } },
		});
	});

	it('sends disable_search and structured output', () => {
		const body = sonar({
			searchOptions: { disableSearch: true },
			options: { responseFormat: { jsonSchema: { schema: { type: 'object' } } } },
		});
		expect(body.disable_search).toBe(true);
		expect(body.response_format).toEqual({
			type: 'json_schema',
			json_schema: { name: 'response', schema: { type: 'object' } },
		});
	});

	it('passes any model id through', () => {
		expect(sonar({ model: 'my-gateway/model' }).model).toBe('my-gateway/model');
	});
});

describe('bad input is refused before any request, naming the field', () => {
	const failure = (overrides: Partial<RawChatParameters>, callerStreams = false) => {
		try {
			resolveChatSettings(raw(overrides), callerStreams);
		} catch (error) {
			expect(error).toBeInstanceOf(InputError);
			return (error as InputError).message;
		}
		throw new Error('expected bad input to be refused');
	};

	it.each<[string, Partial<RawChatParameters>, string | RegExp]>([
		['empty model', { model: ' ' }, 'Model: is empty: pick a model or preset, or type an ID'],
		['unknown API', { api: 'openai' }, 'API: must be one of agent, sonar, got "openai"'],
		['empty prompt', { prompt: '' }, 'Prompt: is empty'],
		[
			'temperature above 2',
			{ options: { temperature: 2.5 } },
			'Options → Temperature: must be between 0 and 2, got 2.5',
		],
		[
			'negative temperature',
			{ options: { temperature: -1 } },
			'Options → Temperature: must be between 0 and 2, got -1',
		],
		[
			'top p above 1',
			{ options: { topP: 1.5 } },
			'Options → Top P: must be between 0 and 1, got 1.5',
		],
		[
			'max tokens 0',
			{ options: { maxTokens: 0 } },
			'Options → Max Tokens: must be between 1 and 128000, got 0',
		],
		[
			'fractional max tokens',
			{ options: { maxTokens: 10.5 } },
			'Options → Max Tokens: must be a whole number, got 10.5',
		],
		[
			'text temperature',
			{ options: { temperature: 'hot' } },
			'Options → Temperature: must be a number, got "hot"',
		],
		[
			'presence penalty 3 on Sonar',
			{ api: 'sonar', options: { presencePenalty: 3 } },
			'Options → Presence Penalty: must be between 0 and 2, got 3',
		],
		[
			'frequency penalty 0 on Sonar',
			{ api: 'sonar', options: { frequencyPenalty: 0 } },
			'Options → Frequency Penalty: must be greater than 0, got 0',
		],
		[
			'top k 5000 on Sonar',
			{ api: 'sonar', options: { topK: 5000 } },
			'Options → Top K: must be between 0 and 2048, got 5000',
		],
		[
			'xhigh effort on Sonar',
			{ api: 'sonar', options: { reasoningEffort: 'xhigh' } },
			/^Options → Reasoning Effort: must be one of minimal, low, medium, high/,
		],
		[
			'recency with a date',
			{ searchOptions: { recency: 'week', publishedAfter: '2026-01-01' } },
			'Search → Recency: cannot be combined with Published After: use either a recency or dates',
		],
		[
			'not a date',
			{ searchOptions: { updatedBefore: 'last tuesday' } },
			'Search → Updated Before: "last tuesday" is not a date: use the date picker, YYYY-MM-DD or MM/DD/YYYY',
		],
		[
			'impossible date',
			{ searchOptions: { publishedAfter: '02/30/2026' } },
			'Search → Published After: "02/30/2026" is not a real calendar date',
		],
		[
			'dates the wrong way round',
			{ searchOptions: { publishedAfter: '2026-05-01', publishedBefore: '2026-04-01' } },
			'Search → Published After: (05/01/2026) is later than Published Before (04/01/2026)',
		],
		[
			'domain with scheme',
			{ searchOptions: { domainFilter: 'https://nature.com' } },
			'Search → Domain Filter: "https://nature.com" has a scheme: give the domain alone, e.g. nature.com',
		],
		[
			'domain with spaces',
			{ searchOptions: { domainFilter: 'not a domain' } },
			'Search → Domain Filter: "not a domain" is not a domain (e.g. nature.com, or -reddit.com to exclude)',
		],
		[
			'21 domains',
			{
				searchOptions: {
					domainFilter: Array.from({ length: 21 }, (_, i) => `d${i}.com`).join(','),
				},
			},
			'Search → Domain Filter: has 21 entries: at most 20 are allowed',
		],
		[
			'latitude 100',
			{ searchOptions: { userLocation: { location: { latitude: 100, longitude: 0 } } } },
			'Search → User Location → Latitude: must be between -90 and 90, got 100',
		],
		[
			'country name',
			{ searchOptions: { userLocation: { location: { country: 'Germany' } } } },
			'Search → User Location → Country: "Germany" is not a two-letter country code (e.g. US, DE)',
		],
		[
			'language filter word',
			{ api: 'sonar', searchOptions: { languageFilter: 'english' } },
			'Search → Language Filter: "english" is not a two-letter ISO 639-1 code (e.g. en, fr)',
		],
		[
			'invalid schema JSON',
			{ options: { responseFormat: { jsonSchema: { name: 'x', schema: '{"type": ' } } } },
			/^Options → Structured Output \(JSON Schema\) → Schema: is not valid JSON \(/,
		],
		[
			'schema not an object',
			{ options: { responseFormat: { jsonSchema: { name: 'x', schema: '[1]' } } } },
			/^Options → Structured Output \(JSON Schema\) → Schema: must be a JSON Schema object/,
		],
		[
			'schema name with spaces',
			{ options: { responseFormat: { jsonSchema: { name: 'my schema', schema: '{}' } } } },
			'Options → Structured Output (JSON Schema) → Name: "my schema" must be 1 to 64 letters, digits, _ or -',
		],
		[
			'fallback preset',
			{ model: 'openai/gpt-5.1', options: { fallbackModels: 'fast' } },
			'Options → Fallback Models: "fast" is not a model ID: use provider/model, e.g. openai/gpt-5.1',
		],
		[
			'five fallbacks after a model',
			{ model: 'openai/gpt-5.1', options: { fallbackModels: 'a/1,b/2,c/3,d/4,e/5' } },
			'Options → Fallback Models: has 5 models: the Agent API tries at most 5 in all',
		],
		[
			'anthropic without max tokens',
			{ model: 'anthropic/claude-sonnet-4-5' },
			'Options → Max Tokens: is required for anthropic/claude-sonnet-4-5: Anthropic models on the Agent API need a token limit',
		],
		[
			'background with stream',
			{ requestOptions: { background: 'wait', stream: true } },
			'Request Options → Background Mode: cannot be combined with Stream Response: a background run is fetched when it is done',
		],
		[
			'max steps 11',
			{ options: { maxSteps: 11 } },
			'Options → Max Steps: must be between 1 and 10, got 11',
		],
		[
			'unknown recency',
			{ searchOptions: { recency: 'decade' } },
			'Search → Recency: must be one of hour, day, week, month, year, got "decade"',
		],
	])('%s', (_, overrides, expected) => {
		const message = failure(overrides);
		if (typeof expected === 'string') expect(message).toBe(expected);
		else expect(message).toMatch(expected);
	});

	it('checks execution options too', () => {
		expect(() => resolveExecutionSettings({ concurrency: 0 })).toThrow(
			'Request Options → Concurrency: must be between 1 and 100, got 0',
		);
		expect(() => resolveExecutionSettings({ maxRetries: 11 })).toThrow(
			'Request Options → Max Retries: must be between 0 and 10, got 11',
		);
	});

	it('has defaults as the official SDK: two retries, 15 minute timeout', () => {
		expect(resolveExecutionSettings({})).toEqual({
			concurrency: 5,
			batchIntervalMs: 0,
			requestsPerMinute: 0,
			maxRetries: 2,
			maxRateLimitWaitMs: 600000,
			timeoutMs: 900000,
			pollIntervalMs: 5000,
			maxWaitMs: 1800000,
		});
	});
});

describe('dates', () => {
	it('accept a Luxon-like DateTime from an expression', () => {
		const luxonLike = { toISO: () => '2026-11-28T10:00:00.000+01:00' } as unknown as IDataObject;
		const body = agent({ searchOptions: { publishedAfter: luxonLike } });
		expect((body.tools as IDataObject[])[0]).toMatchObject({
			filters: { search_after_date_filter: '11/28/2026' },
		});
	});
});
