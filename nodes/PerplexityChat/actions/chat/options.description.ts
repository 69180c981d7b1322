import type { INodeProperties } from 'n8n-workflow';

import { AGENT_REASONING_EFFORTS } from '../../helpers/constants';
import { editorLimits, type RangeName } from '../../helpers/ranges';
import {
	addRunTotalsOption,
	agentOnly,
	FROM_V2,
	includeRawResponseOption,
	sonarOnly,
	V1,
} from '../common.description';

const EFFORT_NAMES: Record<string, string> = {
	minimal: 'Minimal',
	low: 'Low',
	medium: 'Medium',
	high: 'High',
	xhigh: 'Extra High (Agent API Only)',
};

/**
 * In level order, not alphabetical: the list is built from the same constant the check before
 * sending uses, so the editor offers exactly the levels the node accepts.
 */
const reasoningEffortOptions = AGENT_REASONING_EFFORTS.map((value) => ({
	name: EFFORT_NAMES[value],
	value,
}));

const sampling = (
	name: 'maxTokens' | 'temperature' | 'topP' | 'topK' | 'frequencyPenalty' | 'presencePenalty',
) => editorLimits(`options.${name}` as RangeName);

const DOCS_ONLY =
	'Docs-only on the Agent API: Perplexity documents it, but its SDK does not send it, and the Agent API may refuse it with a 400. Sent only when added here.';

/** Options: the seed's generation parameters and the rest of what shapes the answer. */
export const chatOptionsV1: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show: V1 },
	options: [
		{
			displayName: 'Fallback Models',
			name: 'fallbackModels',
			type: 'string',
			default: '',
			placeholder: 'e.g. openai/gpt-5.1, anthropic/claude-sonnet-4-5',
			description:
				'Models to try in order when the first one fails, comma-separated (five in all at most)',
			displayOptions: agentOnly,
		},
		{
			displayName: 'Frequency Penalty',
			name: 'frequencyPenalty',
			type: 'number',
			typeOptions: sampling('frequencyPenalty'),
			default: 1,
			description: 'Decreases likelihood of repetition based on prior frequency; must be above 0',
			displayOptions: sonarOnly,
		},
		includeRawResponseOption,
		{
			displayName: 'Language Preference',
			name: 'languagePreference',
			type: 'string',
			default: '',
			placeholder: 'e.g. en',
			description: 'ISO 639-1 code of the language to answer in',
		},
		{
			displayName: 'Max Steps',
			name: 'maxSteps',
			type: 'number',
			typeOptions: editorLimits('options.maxSteps'),
			default: 3,
			description: 'How many research steps the agent may take (overrides the preset)',
			displayOptions: agentOnly,
		},
		{
			displayName: 'Max Tokens',
			name: 'maxTokens',
			type: 'number',
			typeOptions: sampling('maxTokens'),
			default: 1024,
			description:
				'The maximum number of completion tokens returned by the API (sent as max_output_tokens on the Agent API)',
		},
		{
			displayName: 'Presence Penalty',
			name: 'presencePenalty',
			type: 'number',
			typeOptions: sampling('presencePenalty'),
			default: 0,
			description: 'Positive values increase the likelihood of discussing new topics',
			displayOptions: sonarOnly,
		},
		{
			displayName: 'Reasoning Effort',
			name: 'reasoningEffort',
			type: 'options',
			options: reasoningEffortOptions,
			default: 'medium',
			description: 'How much the model reasons before answering, for models that reason',
		},
		{
			displayName: 'Structured Output (JSON Schema)',
			name: 'responseFormat',
			type: 'fixedCollection',
			default: {},
			placeholder: 'Add JSON Schema',
			description:
				'Make the answer a JSON document that follows a schema; the parsed object is output as parsed',
			options: [
				{
					displayName: 'JSON Schema',
					name: 'jsonSchema',
					values: [
						{
							displayName: 'Name',
							name: 'name',
							type: 'string',
							default: 'response',
							description: 'A name for the schema: letters, digits, _ or -',
						},
						{
							displayName: 'Description',
							name: 'description',
							type: 'string',
							default: '',
						},
						{
							displayName: 'Schema',
							name: 'schema',
							type: 'json',
							default:
								'{\n  "type": "object",\n  "properties": {\n    "answer": { "type": "string" }\n  },\n  "required": ["answer"]\n}',
						},
						{
							displayName: 'Strict',
							name: 'strict',
							type: 'boolean',
							default: true,
							description: 'Whether the answer must follow the schema exactly',
						},
					],
				},
			],
		},
		{
			displayName: 'Temperature',
			name: 'temperature',
			type: 'number',
			typeOptions: sampling('temperature'),
			default: 0.2,
			description: 'The amount of randomness in the response',
		},
		{
			displayName: 'Top K',
			name: 'topK',
			type: 'number',
			typeOptions: sampling('topK'),
			default: 0,
			description:
				'The number of tokens to keep for top-k filtering: the model considers only the k most likely next tokens (0 turns it off)',
			displayOptions: sonarOnly,
		},
		{
			displayName: 'Top P',
			name: 'topP',
			type: 'number',
			typeOptions: sampling('topP'),
			default: 0.9,
			description: 'The nucleus sampling threshold',
		},
	],
};

/** Version 2 shows these as parameters of their own (sampling.description.ts). */
const PROMOTED_IN_V2 = ['maxTokens', 'topK', 'frequencyPenalty', 'presencePenalty'];
/** On Sonar these are parameters of their own in version 2; on the Agent API they stay here. */
const DOCS_ONLY_ON_AGENT = ['temperature', 'topP'];

/** Options that version 2 adds; version 1 stays as saved workflows know it. */
const NEW_IN_V2: INodeProperties[] = [
	addRunTotalsOption,
	{
		displayName: 'Continue From Response ID',
		name: 'previousResponseId',
		type: 'string',
		default: '',
		placeholder: 'e.g. resp_0123abcd',
		description:
			'The ID of an earlier completed Agent API answer to continue from: Perplexity adds that conversation, so the messages need only the new question. Empty: a new conversation.',
		hint: 'Map the ID output by a previous Perplexity Chat node, e.g. {{ $json.id }}',
		displayOptions: agentOnly,
	},
	{
		displayName: 'Image',
		name: 'image',
		type: 'fixedCollection',
		default: {},
		placeholder: 'Add Image',
		description:
			'An image (PNG, JPEG, WEBP or GIF) to send with the last user message, e.g. to ask about a chart or a photo',
		options: [
			{
				displayName: 'Image',
				name: 'values',
				values: [
					{
						displayName: 'Source',
						name: 'source',
						type: 'options',
						options: [
							{
								name: 'Binary File',
								value: 'binary',
								description: 'An image in the binary data of the input item (up to 23 MiB)',
							},
							{
								name: 'URL',
								value: 'url',
								description: 'A public HTTPS address, from which Perplexity fetches the image',
							},
						],
						default: 'binary',
					},
					{
						displayName: 'Input Binary Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						hint: 'The name of the input binary field containing the image',
						displayOptions: { show: { source: ['binary'] } },
					},
					{
						displayName: 'Image URL',
						name: 'url',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/chart.png',
						displayOptions: { show: { source: ['url'] } },
					},
				],
			},
		],
	},
];

const chatOptionsV2: INodeProperties = {
	...chatOptionsV1,
	displayOptions: { show: FROM_V2 },
	options: [
		...(chatOptionsV1.options as INodeProperties[])
			.filter((option) => !PROMOTED_IN_V2.includes(option.name))
			.map((option) =>
				DOCS_ONLY_ON_AGENT.includes(option.name)
					? {
							...option,
							description: `${option.description}. ${DOCS_ONLY}`,
							displayOptions: agentOnly,
						}
					: option,
			),
		...NEW_IN_V2,
	].sort((a, b) => a.displayName.localeCompare(b.displayName)),
};

export const chatOptions: INodeProperties[] = [chatOptionsV1, chatOptionsV2];
