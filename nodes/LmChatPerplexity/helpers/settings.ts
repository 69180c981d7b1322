import type { IDataObject } from 'n8n-workflow';

import { buildAgentRequest } from '../../PerplexityChat/helpers/requests';
import {
	resolveChatSettings,
	resolveExecutionSettings,
} from '../../PerplexityChat/helpers/settings';
import type { CallOptions } from '../../PerplexityChat/transport/client';

/** What one Perplexity Chat Model sub-node is set to, checked once when the AI node asks for it. */
export interface ModelSettings {
	/** The Model field as the user set it, for n8n's logs (`modelId` of the SDK). */
	modelId: string;
	/** The Agent API body without `input`: model or preset, limits, reasoning, web search. */
	body: IDataObject;
	webSearch: boolean;
	appendSources: boolean;
	/** Request Options, handed to every call of the client as they are. */
	call: Required<Pick<CallOptions, 'timeoutMs' | 'maxRetries' | 'maxRateLimitWaitMs'>>;
}

/**
 * Stands in for the conversation while the shared settings reader checks the parameters: the AI
 * node brings the real messages with every call, and they replace the `input` built from it.
 */
const CONVERSATION_PLACEHOLDER = 'The AI node supplies the conversation at run time';

/**
 * Reads the parameters through Perplexity Chat's own reader and request builder, so that the
 * same names mean the same fields, with the same checks and the same evidence, in both nodes
 * (the Sonar names map the same way, Anthropic models need Max Tokens, …). Bad values throw an
 * InputError naming the field.
 */
export function resolveModelSettings(
	model: unknown,
	options: IDataObject,
	searchOptions: IDataObject,
	requestOptions: IDataObject,
): ModelSettings {
	const settings = resolveChatSettings({
		api: 'agent',
		model,
		inputMode: 'prompt',
		prompt: CONVERSATION_PLACEHOLDER,
		options,
		searchOptions,
		requestOptions: {},
	});
	const {
		input: _input,
		stream: _stream,
		...body
	} = buildAgentRequest({
		...settings,
		stream: false,
	});
	const { timeoutMs, maxRetries, maxRateLimitWaitMs } = resolveExecutionSettings(requestOptions);
	return {
		modelId: settings.model,
		body,
		webSearch: !settings.search.disabled,
		appendSources: options.appendSources !== false,
		call: { timeoutMs, maxRetries, maxRateLimitWaitMs },
	};
}
