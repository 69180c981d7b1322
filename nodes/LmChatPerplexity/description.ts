import type { INodeProperties } from 'n8n-workflow';

import {
	modelProperty,
	requestOptionsForPolling,
} from '../PerplexityChat/actions/common.description';
import { chatOptionsV1 } from '../PerplexityChat/actions/chat/options.description';
import { searchOptions } from '../PerplexityChat/actions/chat/search.description';

/**
 * The options of Perplexity Chat that apply to a chat model, taken from its collections so that
 * both nodes name, describe and check them alike. Their display conditions refer to Perplexity
 * Chat's API switch, which this node (Agent API only) does not have.
 */
function pick(collection: INodeProperties[], names: string[]): INodeProperties[] {
	return collection
		.filter((property) => names.includes(property.name))
		.map(({ displayOptions: _shownFor, ...property }) => property);
}

const NOT_IN_SDK_TYPES =
	" Not in Perplexity's SDK request types: the Agent API may refuse it with a 400, so it is sent only when added here.";

const sampling = pick(chatOptionsV1.options as INodeProperties[], ['temperature', 'topP']).map(
	(property) => ({ ...property, description: `${property.description}.${NOT_IN_SDK_TYPES}` }),
);

export const modelProperties: INodeProperties[] = [
	{
		displayName:
			'Connect this node to the Chat Model input of an AI Agent or of an AI chain such as the Basic LLM Chain',
		name: 'connectionNotice',
		type: 'notice',
		default: '',
	},
	modelProperty(
		'A preset, a model from the live list, or a Sonar model name (mapped the way Perplexity maps it onto the Agent API)',
	),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Append Sources',
				name: 'appendSources',
				type: 'boolean',
				default: true,
				description:
					'Whether to add a numbered list of the web sources under the answer. The AI Agent passes on only the text of the answer, so this is how its sources reach the chat.',
			},
			...pick(chatOptionsV1.options as INodeProperties[], [
				'fallbackModels',
				'maxSteps',
				'maxTokens',
				'reasoningEffort',
			]),
			...sampling,
		],
	},
	{
		displayName: 'Search',
		name: 'searchOptions',
		type: 'collection',
		placeholder: 'Add Search Option',
		default: {},
		options: pick(searchOptions.options as INodeProperties[], [
			'contextSize',
			'disableSearch',
			'domainFilter',
			'publishedAfter',
			'publishedBefore',
			'recency',
			'updatedAfter',
			'updatedBefore',
			'userLocation',
		]),
	},
	{
		displayName: 'Request Options',
		name: 'requestOptions',
		type: 'collection',
		placeholder: 'Add Request Option',
		default: {},
		options: pick(requestOptionsForPolling, ['maxRateLimitWait', 'maxRetries', 'timeout']),
	},
];
