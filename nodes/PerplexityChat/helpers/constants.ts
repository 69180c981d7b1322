export const CREDENTIAL_TYPE = 'perplexityChatApi';

export const DEFAULT_BASE_URL = 'https://api.perplexity.ai';

export const AGENT_PATH = '/v1/agent';
export const RESPONSES_PATH = '/v1/responses';
export const SONAR_PATH = '/chat/completions';
export const MODELS_PATH = '/v1/models';

/** Agent API presets, fastest first, with what each is for in plain words. */
export const AGENT_PRESETS: ReadonlyArray<{ value: string; name: string; description: string }> = [
	{ value: 'fast', name: 'Fast', description: 'Quick answer from a few web results; cheapest' },
	{
		value: 'low',
		name: 'Low',
		description: 'Balanced web search and reasoning for everyday questions',
	},
	{
		value: 'medium',
		name: 'Medium',
		description: 'Several searches and more reasoning; a short research run',
	},
	{ value: 'high', name: 'High', description: 'Thorough multi-step research; slower and costlier' },
	{
		value: 'xhigh',
		name: 'Extra High',
		description: 'Deepest research: many steps, many sources, minutes long',
	},
];

/** Preset names from before the fast … xhigh naming, which the Agent API still accepts. */
export const LEGACY_AGENT_PRESETS = [
	'fast-search',
	'pro-search',
	'deep-research',
	'advanced-deep-research',
];

export const SONAR_MODELS: ReadonlyArray<{ value: string; description: string }> = [
	{ value: 'sonar', description: 'Lightweight, fast search-grounded answers' },
	{ value: 'sonar-pro', description: 'Deeper search for complex questions, more citations' },
	{
		value: 'sonar-reasoning-pro',
		description: 'Step-by-step reasoning with search; answers start with <think>',
	},
	{ value: 'sonar-deep-research', description: 'Exhaustive multi-source research reports; slow' },
	{ value: 'sonar-reasoning', description: 'Older reasoning model, kept for existing workflows' },
];

/**
 * Perplexity's official mapping of Sonar model names onto the Agent API, so that workflows written
 * for the Sonar names keep working after the Sonar endpoint's retirement.
 */
export const SONAR_TO_AGENT: Readonly<Record<string, { model?: string; preset?: string }>> = {
	sonar: { model: 'perplexity/sonar' },
	'sonar-pro': { preset: 'low' },
	'sonar-reasoning': { preset: 'low' },
	'sonar-reasoning-pro': { preset: 'low' },
	'sonar-deep-research': { preset: 'medium' },
};

export const MAX_AGENT_MODELS = 5;
export const MAX_DOMAIN_FILTERS = 20;
export const MAX_DOMAIN_LENGTH = 253;

export const RECENCY_VALUES = ['hour', 'day', 'week', 'month', 'year'];
export const CONTEXT_SIZES = ['low', 'medium', 'high'];
export const SEARCH_MODES = ['web', 'academic', 'sec'];
export const SONAR_REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'];
/** The official SDK's `reasoning.effort` values; Sonar's reasoning_effort has no xhigh. */
export const AGENT_REASONING_EFFORTS = [...SONAR_REASONING_EFFORTS, 'xhigh'];

/** The official SDK's defaults: two retries, and a timeout long enough for deep research. */
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 15 * 60 * 1000;

/**
 * Five requests at once: with answers taking a few seconds each this stays near the 50 requests
 * per minute of Perplexity's lowest usage tier, while a batch still finishes about five times
 * faster than one item after another; 429s that still happen are retried per request.
 */
export const DEFAULT_CONCURRENCY = 5;
export const DEFAULT_POLL_INTERVAL_S = 5;
export const DEFAULT_MAX_WAIT_S = 30 * 60;
/** How long one request may wait on Perplexity's rate limit before its item fails. */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_S = 10 * 60;
