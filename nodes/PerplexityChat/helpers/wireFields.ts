import type { ApiKind } from './interfaces';
import { isPlainObject } from './validation';

/**
 * Every field the node can send, on each API, with the evidence that the API takes it. No machine
 * of ours reaches Perplexity, and the Agent API refuses unknown fields with a 400, so a field goes
 * into a request builder only after it is here. test/unit/wireFields.test.ts builds requests for
 * the defaults and for each option on its own and checks every path of every body against this
 * table; the transport uses it to name the option behind a field the API refuses.
 *
 * Evidence kinds:
 * - R: sent in a recorded real request that got HTTP 200 (shared/reference/recordings/
 *   requests-recorded.json, five requests to POST /v1/responses, from hex/llm-perplexity's cassettes;
 *   #1 … #5 below are their positions in that file). The recordings hold no Sonar request.
 * - S: in the official TypeScript SDK's request types: perplexityai/perplexity-node 0.38.1
 *   (commit 1110dc1), src/generated/api.ts: `ResponsesRequestInput` (what `responses.create` takes,
 *   alias ResponseCreateParams) and `ApiChatCompletionsRequestInput` (chat.completions.create).
 * - N: sent by n8n's built-in Perplexity node (packages/nodes-base/nodes/Perplexity:
 *   descriptions/agent/createResponse.operation.ts, descriptions/chat/complete.operation.ts).
 * - V: sent by the Vercel AI SDK's Perplexity provider (vercel/ai packages/perplexity:
 *   perplexity-agent-language-model.ts, perplexity-language-model.ts).
 * - D: named in Perplexity's docs only.
 *
 * Proven means R or S. A default request, and a request with any option whose fields are proven,
 * carries proven fields only. A field with D alone (docs-only) goes out only from an option whose
 * description says the endpoint may refuse it.
 */
export type Evidence = 'R' | 'S' | 'N' | 'V' | 'D';

export interface WireField {
	evidence: readonly Evidence[];
	/** Where each piece of evidence is, so that anyone can check it. */
	source: string;
	/** The setting that makes the node send the field, as the editor names it. */
	option: string;
	/** The value is the user's own data (a JSON schema): its keys are not wire fields. */
	opaque?: boolean;
}

export type WireTable = Readonly<Record<string, WireField>>;

const MODEL = 'Model';
const MESSAGES = 'Input (the messages)';
const STRUCTURED = 'Options → Structured Output (JSON Schema)';
const LOCATION = 'Search → User Location';
/** A model gets the tool to be able to search; a preset brings its own and gets it only for settings. */
const WEB_SEARCH = 'Model (a model ID gets the web_search tool) or any Search option';

const IMAGE = 'Options → Image';
const CONTINUE = 'Options → Continue From Response ID';
const AGENT_PART = 'S: InputContentPartInput';
const AGENT_IMAGE_V = 'V: convert-to-perplexity-agent-input.ts';
const AGENT_IMAGE_D = 'D: docs agent-api/image-attachments, OpenAPI InputContentPart';

const SDK_TOOL = 'S: WebSearchToolInput';
const SDK_FILTERS =
	'S: WebSearchToolInput.filters (WebSearchFiltersInput = SearchDomainFilterInput & DateFiltersInput)';

/**
 * POST /v1/agent. Not here on purpose: `input[].type` ("message"): the SDK's InputMessageInput has
 * it, but every recorded request leaves it out, so the node sends the recorded shape. `max_results`
 * on the web_search tool and `filters.search_language_filter`: V sends them, the SDK has neither,
 * and no option of the node needs them. `parallel_tool_calls`, `max_tool_calls`: docs only, and
 * no option sends them.
 */
export const AGENT_WIRE_FIELDS: WireTable = {
	input: {
		evidence: ['R', 'S', 'N', 'V'],
		source: 'R: #1-#5; S: ResponsesRequestInput.input; N: input; V: input',
		option: MESSAGES,
	},
	'input[].role': {
		evidence: ['R', 'S', 'V'],
		source: 'R: #1-#5 (user, assistant in #5); S: InputMessageInput.role',
		option: MESSAGES,
	},
	'input[].content': {
		evidence: ['R', 'S', 'V'],
		source:
			'R: #1-#5 (a string); S: InputMessageInput.content (InputContentInput = string | parts)',
		option: MESSAGES,
	},
	'input[].content[].type': {
		evidence: ['S', 'V', 'D'],
		source: `${AGENT_PART}.type (input_text | input_image); ${AGENT_IMAGE_V}; ${AGENT_IMAGE_D}`,
		option: IMAGE,
	},
	'input[].content[].text': {
		evidence: ['S', 'V', 'D'],
		source: `${AGENT_PART}.text; ${AGENT_IMAGE_V}; ${AGENT_IMAGE_D}`,
		option: IMAGE,
	},
	'input[].content[].image_url': {
		evidence: ['S', 'V', 'D'],
		source: `${AGENT_PART}.image_url (a string); ${AGENT_IMAGE_V} (a data URL, or the address); ${AGENT_IMAGE_D} (data:image/png;base64,… or an https URL)`,
		option: IMAGE,
	},
	previous_response_id: {
		evidence: ['S', 'V', 'D'],
		source:
			'S: ResponsesRequestInput.previous_response_id; V: perplexityAgentOptions.previous_response_id; D: docs agent-api/conversation-state',
		option: CONTINUE,
	},
	preset: {
		evidence: ['R', 'S', 'N', 'V'],
		source: 'R: #1-#5 (fast); S: ResponsesRequestInput.preset',
		option: MODEL,
	},
	model: {
		evidence: ['S', 'N', 'V'],
		source: 'S: ResponsesRequestInput.model; N: model; V: model',
		option: MODEL,
	},
	models: {
		evidence: ['S', 'N', 'V'],
		source: 'S: ResponsesRequestInput.models; N: Models (Fallback); V: providerOptions.models',
		option: 'Options → Fallback Models',
	},
	max_output_tokens: {
		evidence: ['R', 'S', 'N', 'V'],
		source: 'R: #3 (200); S: ResponsesRequestInput.max_output_tokens',
		option: 'Options → Max Tokens',
	},
	temperature: {
		evidence: ['V', 'D'],
		source:
			'V: temperature; not in ResponsesRequestInput; a response echoes it, which proves nothing',
		option: 'Options → Temperature',
	},
	top_p: {
		evidence: ['V', 'D'],
		source: 'V: top_p; not in ResponsesRequestInput',
		option: 'Options → Top P',
	},
	reasoning: {
		evidence: ['R', 'S', 'N', 'V'],
		source: 'R: #3; S: ResponsesRequestInput.reasoning (ReasoningConfigInput)',
		option: 'Options → Reasoning Effort',
	},
	'reasoning.effort': {
		evidence: ['R', 'S', 'V'],
		source: 'R: #3 (low); S: ReasoningConfigInput.effort (minimal | low | medium | high | xhigh)',
		option: 'Options → Reasoning Effort',
	},
	response_format: {
		evidence: ['S', 'N', 'V'],
		source: 'S: ResponsesRequestInput.response_format (ResponseFormatInput)',
		option: STRUCTURED,
	},
	'response_format.type': {
		evidence: ['S', 'V'],
		source: 'S: ResponseFormatInput.type ("json_schema")',
		option: STRUCTURED,
	},
	'response_format.json_schema': {
		evidence: ['S', 'V'],
		source: 'S: ResponseFormatInput.json_schema (JSONSchemaFormatInput)',
		option: STRUCTURED,
	},
	'response_format.json_schema.name': {
		evidence: ['S', 'V'],
		source: 'S: JSONSchemaFormatInput.name',
		option: STRUCTURED,
	},
	'response_format.json_schema.schema': {
		evidence: ['S', 'V'],
		source: 'S: JSONSchemaFormatInput.schema',
		option: STRUCTURED,
		opaque: true,
	},
	'response_format.json_schema.description': {
		evidence: ['S', 'V'],
		source: 'S: JSONSchemaFormatInput.description',
		option: STRUCTURED,
	},
	'response_format.json_schema.strict': {
		evidence: ['S'],
		source: 'S: JSONSchemaFormatInput.strict',
		option: STRUCTURED,
	},
	tools: {
		evidence: ['R', 'S', 'N', 'V'],
		source: 'R: #3; S: ResponsesRequestInput.tools (ToolInput[])',
		option: WEB_SEARCH,
	},
	'tools[].type': {
		evidence: ['R', 'S', 'N', 'V'],
		source: `R: #3 (web_search); ${SDK_TOOL}.type`,
		option: WEB_SEARCH,
	},
	'tools[].filters': {
		evidence: ['R', 'S', 'V'],
		source: `R: #3; ${SDK_FILTERS}`,
		option: 'Search → Domain Filter, Recency or a date filter',
	},
	'tools[].filters.search_domain_filter': {
		evidence: ['R', 'S', 'V'],
		source: `R: #3; ${SDK_FILTERS}.search_domain_filter`,
		option: 'Search → Domain Filter',
	},
	'tools[].filters.search_recency_filter': {
		evidence: ['R', 'S', 'V'],
		source: `R: #3 (year); ${SDK_FILTERS}.search_recency_filter`,
		option: 'Search → Recency',
	},
	'tools[].filters.search_after_date_filter': {
		evidence: ['S'],
		source: `${SDK_FILTERS}.search_after_date_filter (V sends search_after_date, another name)`,
		option: 'Search → Published After',
	},
	'tools[].filters.search_before_date_filter': {
		evidence: ['S'],
		source: `${SDK_FILTERS}.search_before_date_filter`,
		option: 'Search → Published Before',
	},
	'tools[].filters.last_updated_after_filter': {
		evidence: ['S'],
		source: `${SDK_FILTERS}.last_updated_after_filter`,
		option: 'Search → Updated After',
	},
	'tools[].filters.last_updated_before_filter': {
		evidence: ['S'],
		source: `${SDK_FILTERS}.last_updated_before_filter`,
		option: 'Search → Updated Before',
	},
	'tools[].search_context_size': {
		evidence: ['R', 'S', 'V'],
		source: `R: #3 (low); ${SDK_TOOL}.search_context_size`,
		option: 'Search → Search Context Size',
	},
	'tools[].user_location': {
		evidence: ['S', 'V'],
		source: `${SDK_TOOL}.user_location (ToolUserLocationInput)`,
		option: LOCATION,
	},
	'tools[].user_location.latitude': {
		evidence: ['S', 'V'],
		source: 'S: ToolUserLocationInput.latitude',
		option: LOCATION,
	},
	'tools[].user_location.longitude': {
		evidence: ['S', 'V'],
		source: 'S: ToolUserLocationInput.longitude',
		option: LOCATION,
	},
	'tools[].user_location.country': {
		evidence: ['S', 'V'],
		source: 'S: ToolUserLocationInput.country',
		option: LOCATION,
	},
	'tools[].user_location.region': {
		evidence: ['S', 'V'],
		source: 'S: ToolUserLocationInput.region',
		option: LOCATION,
	},
	'tools[].user_location.city': {
		evidence: ['S', 'V'],
		source: 'S: ToolUserLocationInput.city',
		option: LOCATION,
	},
	tool_choice: {
		evidence: ['D'],
		source:
			'D: docs name tool_choice (auto); not in ResponsesRequestInput; V reports any choice but auto as unsupported',
		option: 'Search → Force Web Search',
	},
	'tool_choice.type': {
		evidence: ['D'],
		source: 'D: a docs example; the accepted values are not documented',
		option: 'Search → Force Web Search',
	},
	language_preference: {
		evidence: ['S', 'N', 'V'],
		source: 'S: ResponsesRequestInput.language_preference; N: Language Preference',
		option: 'Options → Language Preference',
	},
	max_steps: {
		evidence: ['S', 'N', 'V'],
		source: 'S: ResponsesRequestInput.max_steps; N: Max Steps',
		option: 'Options → Max Steps',
	},
	stream: {
		evidence: ['R', 'S', 'V'],
		source: 'R: #2 (true), #1 (false); S: ResponsesRequestInput.stream',
		option: 'Request Options → Stream Response',
	},
	background: {
		evidence: ['S'],
		source: 'S: ResponsesRequestInput.background',
		option: 'Request Options → Background Mode',
	},
};

const SONAR_SDK = 'S: ApiChatCompletionsRequestInput';
const SONAR_IMAGE_V = 'V: convert-to-perplexity-messages.ts';
const SONAR_IMAGE_D = 'D: docs sonar/media, OpenAPI ChatMessageContentImageChunk';
const SONAR_LOCATION = 'S: WebSearchOptionsInput.user_location (UserLocationInput)';

/**
 * POST /chat/completions. No recorded Sonar request exists, so nothing here is R; every field is
 * in the SDK's chat-completions type. N sends `search_recency` (sic), not search_recency_filter.
 */
export const SONAR_WIRE_FIELDS: WireTable = {
	model: { evidence: ['S', 'N', 'V'], source: `${SONAR_SDK}.model`, option: MODEL },
	messages: { evidence: ['S', 'N', 'V'], source: `${SONAR_SDK}.messages`, option: MESSAGES },
	'messages[].role': {
		evidence: ['S', 'N', 'V'],
		source: 'S: ChatMessageInputInput.role',
		option: MESSAGES,
	},
	'messages[].content': {
		evidence: ['S', 'N', 'V'],
		source: 'S: ChatMessageInputInput.content',
		option: MESSAGES,
	},
	'messages[].content[].type': {
		evidence: ['S', 'V', 'D'],
		source: `S: ChatMessageContentTextChunkInput.type (text), ChatMessageContentImageChunkInput.type (image_url); ${SONAR_IMAGE_V}; ${SONAR_IMAGE_D}`,
		option: IMAGE,
	},
	'messages[].content[].text': {
		evidence: ['S', 'V', 'D'],
		source: `S: ChatMessageContentTextChunkInput.text; ${SONAR_IMAGE_V}; ${SONAR_IMAGE_D}`,
		option: IMAGE,
	},
	'messages[].content[].image_url': {
		evidence: ['S', 'V', 'D'],
		source: `S: ChatMessageContentImageChunkInput.image_url (URLInput | string); ${SONAR_IMAGE_V} ({url}); ${SONAR_IMAGE_D}`,
		option: IMAGE,
	},
	'messages[].content[].image_url.url': {
		evidence: ['S', 'V', 'D'],
		source: `S: URLInput.url; ${SONAR_IMAGE_V}; ${SONAR_IMAGE_D} (data:image/png;base64,… or an https URL)`,
		option: IMAGE,
	},
	max_tokens: {
		evidence: ['S', 'N', 'V'],
		source: `${SONAR_SDK}.max_tokens`,
		option: 'Options → Max Tokens',
	},
	temperature: {
		evidence: ['S', 'N', 'V'],
		source: `${SONAR_SDK}.temperature`,
		option: 'Options → Temperature',
	},
	top_p: { evidence: ['S', 'N', 'V'], source: `${SONAR_SDK}.top_p`, option: 'Options → Top P' },
	top_k: { evidence: ['S', 'N', 'V'], source: `${SONAR_SDK}.top_k`, option: 'Options → Top K' },
	frequency_penalty: {
		evidence: ['S', 'N', 'V'],
		source: `${SONAR_SDK}.frequency_penalty`,
		option: 'Options → Frequency Penalty',
	},
	presence_penalty: {
		evidence: ['S', 'N', 'V'],
		source: `${SONAR_SDK}.presence_penalty`,
		option: 'Options → Presence Penalty',
	},
	reasoning_effort: {
		evidence: ['S'],
		source: `${SONAR_SDK}.reasoning_effort (minimal | low | medium | high)`,
		option: 'Options → Reasoning Effort',
	},
	language_preference: {
		evidence: ['S'],
		source: `${SONAR_SDK}.language_preference`,
		option: 'Options → Language Preference',
	},
	response_format: {
		evidence: ['S', 'V'],
		source: `${SONAR_SDK}.response_format (ResponseFormatJSONSchemaInput)`,
		option: STRUCTURED,
	},
	'response_format.type': {
		evidence: ['S', 'V'],
		source: 'S: ResponseFormatJSONSchemaInput.type',
		option: STRUCTURED,
	},
	'response_format.json_schema': {
		evidence: ['S', 'V'],
		source: 'S: ResponseFormatJSONSchemaInput.json_schema (JSONSchemaInput)',
		option: STRUCTURED,
	},
	'response_format.json_schema.name': {
		evidence: ['S'],
		source: 'S: JSONSchemaInput.name',
		option: STRUCTURED,
	},
	'response_format.json_schema.schema': {
		evidence: ['S', 'V'],
		source: 'S: JSONSchemaInput.schema',
		option: STRUCTURED,
		opaque: true,
	},
	'response_format.json_schema.description': {
		evidence: ['S'],
		source: 'S: JSONSchemaInput.description',
		option: STRUCTURED,
	},
	'response_format.json_schema.strict': {
		evidence: ['S'],
		source: 'S: JSONSchemaInput.strict',
		option: STRUCTURED,
	},
	stream: {
		evidence: ['S', 'V'],
		source: `${SONAR_SDK}.stream`,
		option: 'Request Options → Stream Response',
	},
	disable_search: {
		evidence: ['S'],
		source: `${SONAR_SDK}.disable_search`,
		option: 'Search → Disable Search',
	},
	search_mode: {
		evidence: ['S'],
		source: `${SONAR_SDK}.search_mode (web | academic | sec)`,
		option: 'Search → Search Mode',
	},
	search_domain_filter: {
		evidence: ['S', 'N'],
		source: `${SONAR_SDK}.search_domain_filter`,
		option: 'Search → Domain Filter',
	},
	search_recency_filter: {
		evidence: ['S'],
		source: `${SONAR_SDK}.search_recency_filter`,
		option: 'Search → Recency',
	},
	search_after_date_filter: {
		evidence: ['S'],
		source: `${SONAR_SDK}.search_after_date_filter`,
		option: 'Search → Published After',
	},
	search_before_date_filter: {
		evidence: ['S'],
		source: `${SONAR_SDK}.search_before_date_filter`,
		option: 'Search → Published Before',
	},
	last_updated_after_filter: {
		evidence: ['S'],
		source: `${SONAR_SDK}.last_updated_after_filter`,
		option: 'Search → Updated After',
	},
	last_updated_before_filter: {
		evidence: ['S'],
		source: `${SONAR_SDK}.last_updated_before_filter`,
		option: 'Search → Updated Before',
	},
	search_language_filter: {
		evidence: ['S'],
		source: `${SONAR_SDK}.search_language_filter`,
		option: 'Search → Language Filter',
	},
	return_images: {
		evidence: ['S', 'N'],
		source: `${SONAR_SDK}.return_images`,
		option: 'Search → Return Images',
	},
	return_related_questions: {
		evidence: ['S', 'N'],
		source: `${SONAR_SDK}.return_related_questions`,
		option: 'Search → Return Related Questions',
	},
	web_search_options: {
		evidence: ['S'],
		source: `${SONAR_SDK}.web_search_options (WebSearchOptionsInput)`,
		option: 'Search → Search Context Size or User Location',
	},
	'web_search_options.search_context_size': {
		evidence: ['S'],
		source: 'S: WebSearchOptionsInput.search_context_size',
		option: 'Search → Search Context Size',
	},
	'web_search_options.user_location': {
		evidence: ['S'],
		source: SONAR_LOCATION,
		option: LOCATION,
	},
	'web_search_options.user_location.latitude': {
		evidence: ['S'],
		source: `${SONAR_LOCATION}.latitude`,
		option: LOCATION,
	},
	'web_search_options.user_location.longitude': {
		evidence: ['S'],
		source: `${SONAR_LOCATION}.longitude`,
		option: LOCATION,
	},
	'web_search_options.user_location.country': {
		evidence: ['S'],
		source: `${SONAR_LOCATION}.country`,
		option: LOCATION,
	},
	'web_search_options.user_location.region': {
		evidence: ['S'],
		source: `${SONAR_LOCATION}.region`,
		option: LOCATION,
	},
	'web_search_options.user_location.city': {
		evidence: ['S'],
		source: `${SONAR_LOCATION}.city`,
		option: LOCATION,
	},
};

export const WIRE_FIELDS: Readonly<Record<ApiKind, WireTable>> = {
	agent: AGENT_WIRE_FIELDS,
	sonar: SONAR_WIRE_FIELDS,
};

/** An endpoint as an error names it, with the table of what the node sends there. */
export interface WireEndpoint {
	name: string;
	table: WireTable;
}

export const CHAT_ENDPOINTS: Readonly<Record<ApiKind, WireEndpoint>> = {
	agent: { name: 'the Agent API', table: AGENT_WIRE_FIELDS },
	sonar: { name: 'the Sonar Chat Completions endpoint', table: SONAR_WIRE_FIELDS },
};

export function isProven(field: WireField): boolean {
	return field.evidence.includes('R') || field.evidence.includes('S');
}

/**
 * Every field path of a request body, at every depth, in the table's notation: `a.b` for nested
 * objects, `a[].b` for objects inside arrays. Arrays of plain values are one field, and the
 * contents of an opaque field (the user's own JSON schema) are not walked into.
 */
export function wirePaths(body: unknown, table: WireTable, prefix = ''): string[] {
	if (!isPlainObject(body)) return [];
	const paths: string[] = [];
	for (const [key, value] of Object.entries(body)) {
		const path = prefix ? `${prefix}.${key}` : key;
		paths.push(path);
		if (table[path]?.opaque) continue;
		if (isPlainObject(value)) paths.push(...wirePaths(value, table, path));
		else if (Array.isArray(value)) {
			for (const entry of value) paths.push(...wirePaths(entry, table, `${path}[]`));
		}
	}
	return [...new Set(paths)];
}

export interface RefusedField {
	/** The field's path in the table's notation. */
	path: string;
	option: string;
	docsOnly: boolean;
}

/**
 * The field the node itself added that an API error refuses (Go's `param`, or the field quoted in
 * "unknown field"), with the option that sends it. A refusal is an unknown field, or any error
 * about a docs-only field; an error about the value of a proven field (a bad model, a bad date)
 * is the API's to explain. Undefined as well when the named field is not one the node put in this
 * body, e.g. a key inside the user's JSON schema.
 */
export function refusedField(
	api: ApiKind | WireTable,
	body: unknown,
	failure: { param?: string; message: string },
): RefusedField | undefined {
	const named = failure.param ?? /unknown field "([^"]+)"/.exec(failure.message)?.[1];
	if (!named) return undefined;
	const param = named.replace(/\[\d*\]/g, '[]').replace(/\.(\d+)(?=\.|$)/g, '[]');
	const table = typeof api === 'string' ? WIRE_FIELDS[api] : api;
	const path = wirePaths(body, table).find(
		(candidate) => candidate === param || candidate.endsWith(`.${param}`),
	);
	const field = path === undefined ? undefined : table[path];
	if (path === undefined || field === undefined) return undefined;
	const docsOnly = !isProven(field);
	if (!docsOnly && !/unknown field/i.test(failure.message)) return undefined;
	return { path, option: field.option, docsOnly };
}
