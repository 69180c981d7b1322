import type { IDataObject } from 'n8n-workflow';

export type ApiKind = 'agent' | 'sonar';

export type MessageRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
	role: MessageRole;
	content: string;
}

export type BackgroundMode = 'off' | 'wait' | 'submit';

export interface UserLocation {
	latitude?: number;
	longitude?: number;
	country?: string;
	region?: string;
	city?: string;
}

/** Which pages a web search may use: the filters the chat APIs and the Search API share. */
export interface WebFilters {
	domainFilter: string[];
	recency?: string;
	/** Dates already in Perplexity's MM/DD/YYYY form. */
	publishedAfter?: string;
	publishedBefore?: string;
	updatedAfter?: string;
	updatedBefore?: string;
}

export interface SearchSettings extends WebFilters {
	disabled: boolean;
	always: boolean;
	contextSize?: string;
	userLocation?: UserLocation;
	searchMode?: string;
	returnImages?: boolean;
	returnRelatedQuestions?: boolean;
	languageFilter: string[];
}

export interface JsonSchemaFormat {
	name: string;
	schema: IDataObject;
	description?: string;
	strict?: boolean;
}

/**
 * An image for the question: an address Perplexity fetches, or a binary field of the item, whose
 * bytes are read and sent as a data URL only when its request goes out.
 */
export type ImageSource = { source: 'binary'; property: string } | { source: 'url'; url: string };

/** Everything one item asks for, validated; request builders turn it into a wire body. */
export interface ChatSettings {
	api: ApiKind;
	model: string;
	fallbackModels: string[];
	messages: ChatMessage[];
	maxTokens?: number;
	temperature?: number;
	topP?: number;
	topK?: number;
	frequencyPenalty?: number;
	presencePenalty?: number;
	reasoningEffort?: string;
	languagePreference?: string;
	maxSteps?: number;
	jsonSchema?: JsonSchemaFormat;
	search: SearchSettings;
	stream: boolean;
	background: BackgroundMode;
	/** Agent API only: the response this one continues (previous_response_id). */
	previousResponseId?: string;
	image?: ImageSource;
}

export interface OutputSettings {
	simplify: boolean;
	includeRawResponse: boolean;
	/** Structured output was asked for: the answer must parse as JSON. */
	expectJson: boolean;
}

export interface ExecutionSettings {
	concurrency: number;
	batchIntervalMs: number;
	requestsPerMinute: number;
	maxRetries: number;
	maxRateLimitWaitMs: number;
	timeoutMs: number;
	pollIntervalMs: number;
	maxWaitMs: number;
}

/** The seed's "Response Datas": a chat completion, whichever API answered. */
export interface ChatCompletion {
	id: string;
	model: string;
	object: 'chat.completion';
	created: number;
	citations: string[];
	search_results: IDataObject[];
	choices: Array<{
		index: number;
		finish_reason: string | null;
		message: { role: string; content: string; reasoning?: string; parsed?: unknown };
	}>;
	usage: IDataObject;
	images?: IDataObject[];
	related_questions?: string[];
}
