/**
 * The allowed range of every number parameter, keyed by its path in the node's parameters. The
 * editor's limits (typeOptions) and the check before sending are both derived from this table, so
 * the editor never offers a value the node then refuses, or the other way round.
 */
export interface NumberRange {
	min?: number;
	max?: number;
	/** The lower bound itself is not allowed. */
	exclusiveMin?: boolean;
	integer?: boolean;
	/** Decimal places the editor offers (ignored for whole numbers). */
	precision?: number;
	/** A value that means "not set": accepted, and nothing is sent. */
	unset?: number;
}

const maxTokens: NumberRange = { min: 1, max: 128000, integer: true };
const temperature: NumberRange = { min: 0, max: 2, precision: 2 };
const topP: NumberRange = { min: 0, max: 1, precision: 2 };
const topK: NumberRange = { min: 0, max: 2048, integer: true };
// The seed gives only the default (1); Perplexity's older reference called it a multiplicative
// penalty greater than 0, and the published OpenAPI document has no entry for it at all.
const frequencyPenalty: NumberRange = { min: 0, exclusiveMin: true, precision: 2 };
const presencePenalty: NumberRange = { min: 0, max: 2, precision: 2 };

export const RANGES = {
	// Version 1: the seed's settings inside Options.
	'options.maxTokens': maxTokens,
	'options.temperature': temperature,
	'options.topP': topP,
	'options.topK': topK,
	'options.frequencyPenalty': frequencyPenalty,
	'options.presencePenalty': presencePenalty,
	'options.maxSteps': { min: 1, max: 10, integer: true },
	// Version 2: the seed's settings as parameters of their own (Temperature and Top P stay in
	// Options on the Agent API, where they are docs-only).
	maxTokens: { ...maxTokens, unset: 0 },
	temperature,
	topP,
	topK,
	frequencyPenalty,
	presencePenalty,
	'searchOptions.userLocation.location.latitude': { min: -90, max: 90, precision: 6 },
	'searchOptions.userLocation.location.longitude': { min: -180, max: 180, precision: 6 },
	'requestOptions.batchInterval': { min: 0, integer: true },
	'requestOptions.concurrency': { min: 1, max: 100, integer: true },
	'requestOptions.maxRetries': { min: 0, max: 10, integer: true },
	'requestOptions.maxRateLimitWait': { min: 1, max: 24 * 3600 },
	'requestOptions.maxWait': { min: 1 },
	'requestOptions.pollInterval': { min: 1, max: 3600 },
	'requestOptions.requestsPerMinute': { min: 0 },
	'requestOptions.timeout': { min: 1, integer: true },
} satisfies Record<string, NumberRange>;

export type RangeName = keyof typeof RANGES;

/**
 * The editor's typeOptions for a range. The editor cannot exclude its lower bound, so an exclusive
 * minimum becomes the smallest value above it that the editor's precision can show.
 */
export function editorLimits(name: RangeName): EditorLimits {
	return editorLimitsOf(RANGES[name]);
}

export interface EditorLimits {
	minValue?: number;
	maxValue?: number;
	numberPrecision?: number;
}

/** The same for a range an operation keeps in its own folder. */
export function editorLimitsOf(range: NumberRange): EditorLimits {
	const precision = range.integer ? 0 : range.precision;
	const step = precision === undefined ? 0 : 10 ** -precision;
	let minValue = range.exclusiveMin && range.min !== undefined ? range.min + step : range.min;
	if (range.unset !== undefined && (minValue === undefined || range.unset < minValue)) {
		minValue = range.unset;
	}
	const limits: EditorLimits = {};
	if (minValue !== undefined) limits.minValue = minValue;
	if (range.max !== undefined) limits.maxValue = range.max;
	if (precision !== undefined) limits.numberPrecision = precision;
	return limits;
}

/**
 * The seed's defaults, which are also what Sonar Chat Completions documents as its own: a value
 * equal to one of these is not sent, so a node left at its defaults sends what it always did.
 */
export const SONAR_DEFAULTS = {
	temperature: 0.2,
	topP: 0.9,
	topK: 0,
	frequencyPenalty: 1,
	presencePenalty: 0,
} as const;
