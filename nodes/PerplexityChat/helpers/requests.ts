import type { IDataObject } from 'n8n-workflow';

import type { ApiKind, ChatSettings, WebFilters } from './interfaces';
import { resolveAgentModel } from './models';

/** Leaves out what the user did not set: every API treats a sent field as a choice. */
export function compact(entries: IDataObject): IDataObject {
	const body: IDataObject = {};
	for (const [key, value] of Object.entries(entries)) {
		if (value === undefined) continue;
		if (Array.isArray(value) && value.length === 0) continue;
		if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
			if (Object.keys(value).length === 0) continue;
		}
		body[key] = value;
	}
	return body;
}

/**
 * The shared filters under the names every API gives them: Sonar and the Search API at the top
 * level, the Agent API inside its web_search tool's `filters` (the SDK's WebSearchFiltersInput,
 * ApiChatCompletionsRequestInput and ApiSearchRequestInput use the same names).
 */
export function webFilterFields(filters: WebFilters): IDataObject {
	return compact({
		search_domain_filter: filters.domainFilter,
		search_recency_filter: filters.recency,
		search_after_date_filter: filters.publishedAfter,
		search_before_date_filter: filters.publishedBefore,
		last_updated_after_filter: filters.updatedAfter,
		last_updated_before_filter: filters.updatedBefore,
	});
}

/**
 * POST /v1/agent. The Agent API refuses unknown fields, so every field here is in the evidence
 * table (wireFields.ts), and the Sonar-only settings (Top K, the penalties, search mode, images,
 * related questions, language filter) are never sent here.
 */
export function buildAgentRequest(settings: ChatSettings): IDataObject {
	const { model, preset } = resolveAgentModel(settings.model);
	const { search } = settings;
	const models = settings.fallbackModels.length
		? [...(model ? [model] : []), ...settings.fallbackModels]
		: undefined;

	const tool = search.disabled
		? undefined
		: compact({
				type: 'web_search',
				filters: webFilterFields(search),
				search_context_size: search.contextSize,
				user_location: search.userLocation as IDataObject | undefined,
			});
	// A preset brings its own web search (the recorded default request is just preset + input), so
	// the tool goes out with a preset only to carry settings; a model gets it to be able to search,
	// which is Perplexity's own mapping of `sonar` onto `perplexity/sonar`.
	const webSearch =
		tool && (preset === undefined || Object.keys(tool).length > 1) ? tool : undefined;

	return compact({
		preset,
		model: models ? undefined : model,
		models,
		// As every recorded request sends it: {role, content}, without the SDK type's `type: "message"`.
		input: settings.messages.map(({ role, content }) => ({ role, content })),
		previous_response_id: settings.previousResponseId,
		max_output_tokens: settings.maxTokens,
		// Docs-only on the Agent API: sent only when the user sets them, whose descriptions warn of it.
		temperature: settings.temperature,
		top_p: settings.topP,
		reasoning: settings.reasoningEffort ? { effort: settings.reasoningEffort } : undefined,
		response_format: settings.jsonSchema
			? { type: 'json_schema', json_schema: compact({ ...settings.jsonSchema }) }
			: undefined,
		tools: webSearch ? [webSearch] : undefined,
		// Docs-only: sent only when the user turns on Force Web Search, whose description warns of it.
		tool_choice: webSearch && search.always ? { type: 'web_search' } : undefined,
		language_preference: settings.languagePreference,
		max_steps: settings.maxSteps,
		stream: settings.stream || undefined,
		background: settings.background !== 'off' || undefined,
	});
}

/** POST /chat/completions, the Sonar wire format the seed documents. */
export function buildSonarRequest(settings: ChatSettings): IDataObject {
	const { search } = settings;
	return compact({
		model: settings.model,
		messages: settings.messages.map(({ role, content }) => ({ role, content })),
		max_tokens: settings.maxTokens,
		temperature: settings.temperature,
		top_p: settings.topP,
		top_k: settings.topK,
		frequency_penalty: settings.frequencyPenalty,
		presence_penalty: settings.presencePenalty,
		reasoning_effort: settings.reasoningEffort,
		language_preference: settings.languagePreference,
		response_format: settings.jsonSchema
			? { type: 'json_schema', json_schema: compact({ ...settings.jsonSchema }) }
			: undefined,
		stream: settings.stream || undefined,
		disable_search: search.disabled || undefined,
		search_mode: search.searchMode,
		...webFilterFields(search),
		search_language_filter: search.languageFilter,
		return_images: search.returnImages,
		return_related_questions: search.returnRelatedQuestions,
		web_search_options: compact({
			search_context_size: search.contextSize,
			user_location: search.userLocation as IDataObject | undefined,
		}),
	});
}

/**
 * Puts an image into the last message, which is the user's (validateMessages sees to it), after
 * its text, as the content part each API takes: `input_image` with the URL as a string on the
 * Agent API, `image_url` with `{url}` on Sonar.
 */
export function attachImage(api: ApiKind, body: IDataObject, url: string): IDataObject {
	const key = api === 'agent' ? 'input' : 'messages';
	const messages = [...(body[key] as IDataObject[])];
	const last = messages[messages.length - 1];
	const text = String(last.content);
	const content =
		api === 'agent'
			? [
					{ type: 'input_text', text },
					{ type: 'input_image', image_url: url },
				]
			: [
					{ type: 'text', text },
					{ type: 'image_url', image_url: { url } },
				];
	messages[messages.length - 1] = { ...last, content };
	return { ...body, [key]: messages };
}

/** A binary image is attached later, when its bytes are read (see ImageSource). */
export function buildRequest(settings: ChatSettings): IDataObject {
	const body = settings.api === 'agent' ? buildAgentRequest(settings) : buildSonarRequest(settings);
	const { image } = settings;
	return image?.source === 'url' ? attachImage(settings.api, body, image.url) : body;
}
