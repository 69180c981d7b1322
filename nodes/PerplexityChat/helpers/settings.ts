import type { IDataObject } from 'n8n-workflow';

import {
	AGENT_REASONING_EFFORTS,
	CONTEXT_SIZES,
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_RATE_LIMIT_WAIT_S,
	DEFAULT_MAX_RETRIES,
	DEFAULT_MAX_WAIT_S,
	DEFAULT_POLL_INTERVAL_S,
	DEFAULT_TIMEOUT_MS,
	MAX_AGENT_MODELS,
	SEARCH_MODES,
	SONAR_REASONING_EFFORTS,
} from './constants';
import { readImageOption } from './images';
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
import { isAgentModelId, isAgentPreset, resolveAgentModel } from './models';
import { type RangeName, RANGES, SONAR_DEFAULTS } from './ranges';
import {
	checkChoice,
	checkJsonSchema,
	checkLanguageCodes,
	checkNumber,
	checkResponseId,
	checkUserLocation,
	checkWebFilters,
	toList,
} from './validation';

/** The parameters of one item as n8n resolved them, before any checking. */
export interface RawChatParameters {
	/**
	 * The node's version: 1 keeps the seed's settings in Options; 2 has them as parameters, and
	 * adds the Image and Continue From Response ID options.
	 */
	version?: number;
	api: unknown;
	model: unknown;
	inputMode: unknown;
	messages?: unknown;
	messagesJson?: unknown;
	prompt?: unknown;
	systemPrompt?: unknown;
	/** Version 2's own parameters: Max Tokens, and on Sonar the seed's sampling settings. */
	sampling?: IDataObject;
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
	if (api === 'sonar' && isAgentPreset(model)) {
		throw new InputError(
			'Model',
			`"${model}" is an Agent API preset: Sonar Chat Completions takes a Sonar model such as sonar or sonar-pro`,
			'Pick a model from the list (with API set to Sonar Chat Completions it lists the Sonar models), or set API to Agent API to use the preset.',
		);
	}

	const { options, searchOptions, requestOptions } = raw;
	const settings: ChatSettings = {
		api,
		model,
		fallbackModels: [],
		messages: readMessages(raw),
		...readSampling(api, raw),
		languagePreference: optionalText(options.languagePreference),
		jsonSchema: checkJsonSchema(
			inOptions('Structured Output (JSON Schema)'),
			(options.responseFormat as IDataObject | undefined)?.jsonSchema as IDataObject | undefined,
		),
		search: readSearch(api, searchOptions),
		stream: requestOptions.stream === undefined ? callerStreams : requestOptions.stream === true,
		background: 'off',
	};

	if ((raw.version ?? 1) >= 2) settings.image = readImageOption(options.image, api);

	const efforts = api === 'agent' ? AGENT_REASONING_EFFORTS : SONAR_REASONING_EFFORTS;
	settings.reasoningEffort = checkChoice(
		inOptions('Reasoning Effort'),
		options.reasoningEffort,
		efforts,
	);
	if (api === 'sonar') return settings;

	if ((raw.version ?? 1) >= 2) {
		settings.previousResponseId = checkResponseId(
			inOptions('Continue From Response ID'),
			options.previousResponseId,
			'Map the ID of an earlier Agent API answer, e.g. {{ $json.id }} after a Perplexity Chat node.',
		);
	}
	settings.fallbackModels = readFallbackModels(model, options.fallbackModels);
	settings.maxSteps = checkNumber(
		inOptions('Max Steps'),
		options.maxSteps,
		RANGES['options.maxSteps'],
	);
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
			(raw.version ?? 1) < 2 ? inOptions('Max Tokens') : 'Max Tokens',
			`is required for ${agentModel.model}: Anthropic models on the Agent API need a token limit`,
		);
	}
	return settings;
}

type Sampling = Pick<
	ChatSettings,
	'maxTokens' | 'temperature' | 'topP' | 'topK' | 'frequencyPenalty' | 'presencePenalty'
>;

/**
 * The seed's generation settings. Version 1 reads them all from Options. Version 2 has Max Tokens
 * as a parameter (0: not sent); on Sonar the other five are parameters too, sent only when they
 * differ from Sonar's documented defaults; on the Agent API Temperature and Top P stay in Options,
 * sent only when added there, and Top K and the penalties do not exist.
 */
function readSampling(api: ApiKind, raw: RawChatParameters): Sampling {
	const { options } = raw;
	if ((raw.version ?? 1) < 2) {
		const sampling: Sampling = {
			maxTokens: checkNumber(
				inOptions('Max Tokens'),
				options.maxTokens,
				RANGES['options.maxTokens'],
			),
			temperature: checkNumber(
				inOptions('Temperature'),
				options.temperature,
				RANGES['options.temperature'],
			),
			topP: checkNumber(inOptions('Top P'), options.topP, RANGES['options.topP']),
		};
		if (api === 'sonar') {
			sampling.topK = checkNumber(inOptions('Top K'), options.topK, RANGES['options.topK']);
			sampling.frequencyPenalty = checkNumber(
				inOptions('Frequency Penalty'),
				options.frequencyPenalty,
				RANGES['options.frequencyPenalty'],
			);
			sampling.presencePenalty = checkNumber(
				inOptions('Presence Penalty'),
				options.presencePenalty,
				RANGES['options.presencePenalty'],
			);
		}
		return sampling;
	}

	const top = raw.sampling ?? {};
	const maxTokens = checkNumber('Max Tokens', top.maxTokens, RANGES.maxTokens);
	if (api === 'agent') {
		return {
			maxTokens,
			temperature: checkNumber(
				inOptions('Temperature'),
				options.temperature,
				RANGES['options.temperature'],
			),
			topP: checkNumber(inOptions('Top P'), options.topP, RANGES['options.topP']),
		};
	}
	const unlessDefault = (name: keyof typeof SONAR_DEFAULTS, field: string) => {
		const value = checkNumber(field, top[name], RANGES[name]);
		return value === SONAR_DEFAULTS[name] ? undefined : value;
	};
	return {
		maxTokens,
		temperature: unlessDefault('temperature', 'Temperature'),
		topP: unlessDefault('topP', 'Top P'),
		topK: unlessDefault('topK', 'Top K'),
		frequencyPenalty: unlessDefault('frequencyPenalty', 'Frequency Penalty'),
		presencePenalty: unlessDefault('presencePenalty', 'Presence Penalty'),
	};
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
		...checkWebFilters(options, inSearch),
		contextSize: checkChoice(inSearch('Search Context Size'), options.contextSize, CONTEXT_SIZES),
		userLocation: checkUserLocation(
			inSearch('User Location'),
			(options.userLocation as IDataObject | undefined)?.location as IDataObject | undefined,
		),
		languageFilter: [],
	};
	if (api === 'sonar') {
		search.searchMode = checkChoice(inSearch('Search Mode'), options.searchMode, SEARCH_MODES);
		search.returnImages = options.returnImages === true || undefined;
		search.returnRelatedQuestions = options.returnRelatedQuestions === true || undefined;
		search.languageFilter = checkLanguageCodes(inSearch('Language Filter'), options.languageFilter);
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
	const read = (name: string, key: keyof typeof options & string, fallback: number) =>
		checkNumber(inRequest(name), options[key], RANGES[`requestOptions.${key}` as RangeName]) ??
		fallback;
	return {
		concurrency: read('Concurrency', 'concurrency', DEFAULT_CONCURRENCY),
		batchIntervalMs: read('Batch Interval (Ms)', 'batchInterval', 0),
		requestsPerMinute: read('Max Requests per Minute', 'requestsPerMinute', 0),
		maxRetries: read('Max Retries', 'maxRetries', DEFAULT_MAX_RETRIES),
		maxRateLimitWaitMs:
			read('Max Wait for Rate Limit (Seconds)', 'maxRateLimitWait', DEFAULT_MAX_RATE_LIMIT_WAIT_S) *
			1000,
		timeoutMs: read('Timeout (Ms)', 'timeout', DEFAULT_TIMEOUT_MS),
		pollIntervalMs: read('Poll Interval (Seconds)', 'pollInterval', DEFAULT_POLL_INTERVAL_S) * 1000,
		maxWaitMs: read('Max Wait (Seconds)', 'maxWait', DEFAULT_MAX_WAIT_S) * 1000,
	};
}
