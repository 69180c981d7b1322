import type { INodeProperties } from 'n8n-workflow';

import { agentOnly, includeRawResponseOption, sonarOnly } from '../common.description';

/** Options: the seed's generation parameters and the rest of what shapes the answer. */
export const chatOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
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
			typeOptions: { minValue: 0, numberPrecision: 2 },
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
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 3,
			description: 'How many research steps the agent may take (overrides the preset)',
			displayOptions: agentOnly,
		},
		{
			displayName: 'Max Tokens',
			name: 'maxTokens',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 128000 },
			default: 1024,
			description:
				'The maximum number of completion tokens returned by the API (sent as max_output_tokens on the Agent API)',
		},
		{
			displayName: 'Presence Penalty',
			name: 'presencePenalty',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
			default: 0,
			description: 'Positive values increase the likelihood of discussing new topics',
			displayOptions: sonarOnly,
		},
		{
			displayName: 'Reasoning Effort',
			name: 'reasoningEffort',
			type: 'options',
			options: [
				{ name: 'Extra High (Agent API Only)', value: 'xhigh' },
				{ name: 'High', value: 'high' },
				{ name: 'Low', value: 'low' },
				{ name: 'Medium', value: 'medium' },
				{ name: 'Minimal', value: 'minimal' },
			],
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
			typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
			default: 0.2,
			description: 'The amount of randomness in the response',
		},
		{
			displayName: 'Top K',
			name: 'topK',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 2048 },
			default: 0,
			description:
				'The number of tokens to keep for top-k filtering: the model considers only the k most likely next tokens (0 turns it off)',
			displayOptions: sonarOnly,
		},
		{
			displayName: 'Top P',
			name: 'topP',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
			default: 0.9,
			description: 'The nucleus sampling threshold',
		},
	],
};
