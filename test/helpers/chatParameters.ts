import type { RawChatParameters } from '../../nodes/PerplexityChat/helpers/settings';

export const QUESTION = 'What is new in fusion energy?';

/** One item's parameters as n8n hands them over: a prompt on the Agent API, nothing else set. */
export function rawChatParameters(overrides: Partial<RawChatParameters> = {}): RawChatParameters {
	return {
		api: 'agent',
		model: 'sonar',
		inputMode: 'prompt',
		prompt: QUESTION,
		options: {},
		searchOptions: {},
		requestOptions: {},
		...overrides,
	};
}
