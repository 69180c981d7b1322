import type { IDataObject } from 'n8n-workflow';

import {
	AGENT_REASONING_EFFORTS,
	CONTEXT_SIZES,
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_RETRIES,
	DEFAULT_MAX_WAIT_S,
	DEFAULT_POLL_INTERVAL_S,
	DEFAULT_TIMEOUT_MS,
	MAX_AGENT_MODELS,
	RECENCY_VALUES,
	SEARCH_MODES,
	SONAR_REASONING_EFFORTS,
} from './constants';
import { InputError } from './inputError';
import type {
	ApiKind,
	BackgroundMode,
	ChatMessage,
	ChatSettings,
	ExecutionSettings,
	OutputSettings,
	SearchSettings,
} from './interfaces';
import { parseMessagesJson, validateMessages } from './messages';
import { isAgentModelId, resolveAgentModel } from './models';
import {
	checkChoice,
	checkDomainFilter,
	checkJsonSchema,
	checkNumber,
	checkUserLocation,
	isAfter,
	toList,
	toPerplexityDate,
} from './validation';

/** The parameters of one item as n8n resolved them, before any checking. */
export interface RawChatParameters {
	api: unknown;
	model: unknown;
	inputMode: unknown;
	messages?: unknown;
	messagesJson?: unknown;
	prompt?: unknown;
	systemPrompt?: unknown;
	options: IDataObject;
	searchOptions: IDataObject;
	requestOptions: IDataObject;
}

const OPTIONS = 'Options';
const SEARCH = 'Search';
const REQUEST = 'Request Options';

const inOptions = (name: string) => `${OPTIONS} → ${name}`;
const inSearch = (name: string) => `${SEARCH} → ${name}`;
const inRequest = (name: string) => `${REQUEST} → ${name}`;

export function resolveChatSettings(raw: RawChatParameters, callerStreams = false): ChatSettings {
	const api = checkChoice('API', raw.api ?? 'agent', ['agent', 'sonar']) as ApiKind;
	const model = typeof raw.model === 'string' ? raw.model.trim() : '';
	if (model === '')
		throw new InputError('Model', 'is empty: pick a model or preset, or type an ID');

	const { options, searchOptions, requestOptions } = raw;
	const settings: ChatSettings = {
		api,
		model,
		fallbackModels: [],
		messages: readMessages(raw),
		maxTokens: checkNumber(inOptions('Max Tokens'), options.maxTokens, {
			min: 1,
			max: 128000,
			integer: true,
		}),
		temperature: checkNumber(inOptions('Temperature'), options.temperature, { min: 0, max: 2 }),
		topP: checkNumber(inOptions('Top P'), options.topP, { min: 0, max: 1 }),
		languagePreference: optionalText(options.languagePreference),
		jsonSchema: checkJsonSchema(
			inOptions('Structured Output (JSON Schema)'),
			(options.responseFormat as IDataObject | undefined)?.jsonSchema as IDataObject | undefined,
		),
		search: readSearch(api, searchOptions),
		stream: requestOptions.stream === undefined ? callerStreams : requestOptions.stream === true,
		background: 'off',
	};

	const efforts = api === 'agent' ? AGENT_REASONING_EFFORTS : SONAR_REASONING_EFFORTS;
	settings.reasoningEffort = checkChoice(
		inOptions('Reasoning Effort'),
		options.reasoningEffort,
		efforts,
	);

	if (api === 'sonar') {
		settings.topK = checkNumber(inOptions('Top K'), options.topK, {
			min: 0,
			max: 2048,
			integer: true,
		});
		settings.frequencyPenalty = checkNumber(
			inOptions('Frequency Penalty'),
			options.frequencyPenalty,
			{
				min: 0,
				exclusiveMin: true,
			},
		);
		settings.presencePenalty = checkNumber(inOptions('Presence Penalty'), options.presencePenalty, {
			min: 0,
			max: 2,
		});
		return settings;
	}

	settings.fallbackModels = readFallbackModels(model, options.fallbackModels);
	settings.maxSteps = checkNumber(inOptions('Max Steps'), options.maxSteps, {
		min: 1,
		max: 10,
		integer: true,
	});
	settings.background = (checkChoice(inRequest('Background Mode'), requestOptions.background, [
		'off',
		'wait',
		'submit',
	]) ?? 'off') as BackgroundMode;
	if (settings.background !== 'off' && requestOptions.stream === true) {
		throw new InputError(
			inRequest('Background Mode'),
			'cannot be combined with Stream Response: a background run is fetched when it is done',
		);
	}
	if (settings.background !== 'off') settings.stream = false;

	const agentModel = resolveAgentModel(model);
	if (agentModel.model?.startsWith('anthropic/') && settings.maxTokens === undefined) {
		throw new InputError(
			inOptions('Max Tokens'),
			`is required for ${agentModel.model}: Anthropic models on the Agent API need a token limit`,
		);
	}
	return settings;
}

function optionalText(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function readMessages(raw: RawChatParameters): ChatMessage[] {
	const mode = checkChoice('Input', raw.inputMode ?? 'messages', ['messages', 'json', 'prompt']);
	if (mode === 'json') {
		return validateMessages(parseMessagesJson(raw.messagesJson), 'Messages (JSON)');
	}
	if (mode === 'prompt') {
		const prompt = typeof raw.prompt === 'string' ? raw.prompt : String(raw.prompt ?? '');
		if (prompt.trim() === '') throw new InputError('Prompt', 'is empty');
		const system = optionalText(raw.systemPrompt);
		const messages: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
		messages.push({ role: 'user', content: prompt });
		return messages;
	}
	const rows = (raw.messages as IDataObject | undefined)?.values;
	return validateMessages(Array.isArray(rows) ? rows : [], 'Messages');
}

function readFallbackModels(model: string, value: unknown): string[] {
	const field = inOptions('Fallback Models');
	const models = toList(value);
	const primary = resolveAgentModel(model).model;
	const limit = primary ? MAX_AGENT_MODELS - 1 : MAX_AGENT_MODELS;
	if (models.length > limit) {
		throw new InputError(
			field,
			`has ${models.length} models: the Agent API tries at most ${MAX_AGENT_MODELS} in all`,
		);
	}
	for (const entry of models) {
		if (!isAgentModelId(entry)) {
			throw new InputError(
				field,
				`"${entry}" is not a model ID: use provider/model, e.g. openai/gpt-5.1`,
			);
		}
	}
	return models;
}

function readSearch(api: ApiKind, options: IDataObject): SearchSettings {
	const search: SearchSettings = {
		disabled: options.disableSearch === true,
		always: api === 'agent' && options.alwaysSearch === true,
		domainFilter: checkDomainFilter(inSearch('Domain Filter'), options.domainFilter),
		recency: checkChoice(inSearch('Recency'), options.recency, RECENCY_VALUES),
		publishedAfter: toPerplexityDate(inSearch('Published After'), options.publishedAfter),
		publishedBefore: toPerplexityDate(inSearch('Published Before'), options.publishedBefore),
		updatedAfter: toPerplexityDate(inSearch('Updated After'), options.updatedAfter),
		updatedBefore: toPerplexityDate(inSearch('Updated Before'), options.updatedBefore),
		contextSize: checkChoice(inSearch('Search Context Size'), options.contextSize, CONTEXT_SIZES),
		userLocation: checkUserLocation(
			inSearch('User Location'),
			(options.userLocation as IDataObject | undefined)?.location as IDataObject | undefined,
		),
		languageFilter: [],
	};

	const dates: Array<[string, string | undefined]> = [
		['Published After', search.publishedAfter],
		['Published Before', search.publishedBefore],
		['Updated After', search.updatedAfter],
		['Updated Before', search.updatedBefore],
	];
	const firstDate = dates.find(([, date]) => date !== undefined);
	if (search.recency && firstDate) {
		throw new InputError(
			inSearch('Recency'),
			`cannot be combined with ${firstDate[0]}: use either a recency or dates`,
		);
	}
	for (const [after, before] of [
		[search.publishedAfter, search.publishedBefore],
		[search.updatedAfter, search.updatedBefore],
	]) {
		if (after && before && isAfter(after, before)) {
			const kind = after === search.publishedAfter ? 'Published' : 'Updated';
			throw new InputError(
				inSearch(`${kind} After`),
				`(${after}) is later than ${kind} Before (${before})`,
			);
		}
	}

	if (api === 'sonar') {
		search.searchMode = checkChoice(inSearch('Search Mode'), options.searchMode, SEARCH_MODES);
		search.returnImages = options.returnImages === true || undefined;
		search.returnRelatedQuestions = options.returnRelatedQuestions === true || undefined;
		search.languageFilter = toList(options.languageFilter);
		for (const code of search.languageFilter) {
			if (!/^[a-z]{2}$/i.test(code)) {
				throw new InputError(
					inSearch('Language Filter'),
					`"${code}" is not a two-letter ISO 639-1 code (e.g. en, fr)`,
				);
			}
		}
	}
	return search;
}

export function resolveOutputSettings(simplify: unknown, options: IDataObject): OutputSettings {
	return {
		simplify: simplify === true,
		includeRawResponse: options.includeRawResponse === true,
		expectJson: Boolean((options.responseFormat as IDataObject | undefined)?.jsonSchema),
	};
}

export function resolveExecutionSettings(options: IDataObject): ExecutionSettings {
	const read = (
		name: string,
		value: unknown,
		rule: Parameters<typeof checkNumber>[2],
		fallback: number,
	) => checkNumber(inRequest(name), value, rule) ?? fallback;
	const pollIntervalS = read(
		'Poll Interval (Seconds)',
		options.pollInterval,
		{ min: 1, max: 3600 },
		DEFAULT_POLL_INTERVAL_S,
	);
	const maxWaitS = read('Max Wait (Seconds)', options.maxWait, { min: 1 }, DEFAULT_MAX_WAIT_S);
	return {
		concurrency: read(
			'Concurrency',
			options.concurrency,
			{ min: 1, max: 100, integer: true },
			DEFAULT_CONCURRENCY,
		),
		batchIntervalMs: read(
			'Batch Interval (Ms)',
			options.batchInterval,
			{ min: 0, integer: true },
			0,
		),
		requestsPerMinute: read('Max Requests per Minute', options.requestsPerMinute, { min: 0 }, 0),
		maxRetries: read(
			'Max Retries',
			options.maxRetries,
			{ min: 0, max: 10, integer: true },
			DEFAULT_MAX_RETRIES,
		),
		timeoutMs: read('Timeout (Ms)', options.timeout, { min: 1, integer: true }, DEFAULT_TIMEOUT_MS),
		pollIntervalMs: pollIntervalS * 1000,
		maxWaitMs: maxWaitS * 1000,
	};
}
