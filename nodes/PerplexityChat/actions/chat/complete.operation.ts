import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { sleep, updateDisplayOptions } from 'n8n-workflow';

import { AGENT_PATH, SONAR_PATH } from '../../helpers/constants';
import type { ChatSettings, OutputSettings } from '../../helpers/interfaces';
import { buildRequest } from '../../helpers/requests';
import {
	type RawChatParameters,
	resolveChatSettings,
	resolveOutputSettings,
} from '../../helpers/settings';
import { RateLimiter } from '../../helpers/scheduling';
import type { PerplexityClient } from '../../transport/client';
import {
	includeRawResponseOption,
	requestOptionsForCompletion,
	simplifyProperty,
} from '../common.description';
import { readExecutionSettings, runItems } from '../runItems';
import { itemOutput, waitForRun } from './results';

const agentOnly = { show: { '/api': ['agent'] } };
const sonarOnly = { show: { '/api': ['sonar'] } };

const properties: INodeProperties[] = [
	{
		displayName: 'API',
		name: 'api',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Agent API',
				value: 'agent',
				description:
					"Perplexity's current API (POST /v1/agent): presets, third-party models, web search",
			},
			{
				name: 'Sonar Chat Completions',
				value: 'sonar',
				description:
					'The chat-completions format (POST /chat/completions), for gateways and compatible endpoints',
			},
		],
		default: 'agent',
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: 'sonar' },
		description:
			'On the Agent API: a preset, a model from the live list, or a Sonar model name (mapped the way Perplexity maps it). On Sonar Chat Completions: a Sonar model.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. sonar-pro, fast or openai/gpt-5.1',
			},
		],
	},
	{
		displayName:
			'Top K, Frequency Penalty and Presence Penalty exist only on Sonar Chat Completions: the Agent API has no such settings, so they are not sent',
		name: 'agentNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { api: ['agent'] } },
	},
	{
		displayName: 'Input',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Messages',
				value: 'messages',
				description: 'A list of system, user and assistant messages',
			},
			{
				name: 'Messages (JSON)',
				value: 'json',
				description: 'An array of {role, content} objects, typically from an expression',
			},
			{
				name: 'Prompt',
				value: 'prompt',
				description: 'A single question, with an optional system prompt',
			},
		],
		default: 'messages',
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Message',
		default: { values: [{ role: 'user', content: '' }] },
		description:
			'The conversation so far: system messages first, then user and assistant taking turns, ending with the user',
		displayOptions: { show: { inputMode: ['messages'] } },
		options: [
			{
				displayName: 'Message',
				name: 'values',
				values: [
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						options: [
							{
								name: 'Assistant',
								value: 'assistant',
								description: 'An earlier answer of the model',
							},
							{
								name: 'System',
								value: 'system',
								description: 'Instructions for behaviour and style',
							},
							{ name: 'User', value: 'user', description: 'A question or request' },
						],
						default: 'user',
					},
					{
						displayName: 'Content',
						name: 'content',
						type: 'string',
						typeOptions: { rows: 3 },
						default: '',
					},
				],
			},
		],
	},
	{
		displayName: 'Messages (JSON)',
		name: 'messagesJson',
		type: 'json',
		default: '[\n  {\n    "role": "user",\n    "content": ""\n  }\n]',
		description:
			'An array like [{"role": "system", "content": "…"}, {"role": "user", "content": "…"}], as JSON text or from an expression',
		hint: 'e.g. {{ $json.messages }} to take the messages of the incoming item',
		displayOptions: { show: { inputMode: ['json'] } },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. What changed in EU AI regulation this month?',
		displayOptions: { show: { inputMode: ['prompt'] } },
	},
	{
		displayName: 'System Prompt',
		name: 'systemPrompt',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'e.g. Answer in three sentences, in French',
		description: 'Optional instructions for behaviour and style, sent as a system message',
		displayOptions: { show: { inputMode: ['prompt'] } },
	},
	simplifyProperty,
	{
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
					{ name: 'Max (Agent API Only)', value: 'max' },
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
	},
	{
		displayName: 'Search',
		name: 'searchOptions',
		type: 'collection',
		placeholder: 'Add Search Option',
		default: {},
		options: [
			{
				displayName: 'Always Search',
				name: 'alwaysSearch',
				type: 'boolean',
				default: true,
				description:
					'Whether to make the model search the web for every answer. The Agent API otherwise lets the model decide; Sonar always searched.',
				displayOptions: agentOnly,
			},
			{
				displayName: 'Disable Search',
				name: 'disableSearch',
				type: 'boolean',
				default: false,
				description: 'Whether to answer from the model alone, without web search or citations',
			},
			{
				displayName: 'Domain Filter',
				name: 'domainFilter',
				type: 'string',
				default: '',
				placeholder: 'e.g. nature.com, science.org, -reddit.com',
				description:
					'Domains to search, comma-separated (at most 20); put - in front of a domain to leave it out instead',
			},
			{
				displayName: 'Language Filter',
				name: 'languageFilter',
				type: 'string',
				default: '',
				placeholder: 'e.g. en, de',
				description: 'Only use sources in these languages (ISO 639-1 codes, comma-separated)',
				displayOptions: sonarOnly,
			},
			{
				displayName: 'Max Results',
				name: 'maxResults',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 10,
				description: 'How many search results to use at most',
				displayOptions: agentOnly,
			},
			{
				displayName: 'Published After',
				name: 'publishedAfter',
				type: 'dateTime',
				default: '',
				description: 'Only sources published after this date (cannot be combined with Recency)',
			},
			{
				displayName: 'Published Before',
				name: 'publishedBefore',
				type: 'dateTime',
				default: '',
				description: 'Only sources published before this date (cannot be combined with Recency)',
			},
			{
				displayName: 'Recency',
				name: 'recency',
				type: 'options',
				options: [
					{ name: 'Past Day', value: 'day' },
					{ name: 'Past Hour', value: 'hour' },
					{ name: 'Past Month', value: 'month' },
					{ name: 'Past Week', value: 'week' },
					{ name: 'Past Year', value: 'year' },
				],
				default: 'week',
				description: 'Only sources from this period (cannot be combined with the date filters)',
			},
			{
				displayName: 'Return Images',
				name: 'returnImages',
				type: 'boolean',
				default: false,
				description: 'Whether to add images from the sources to the output',
				displayOptions: sonarOnly,
			},
			{
				displayName: 'Return Related Questions',
				name: 'returnRelatedQuestions',
				type: 'boolean',
				default: false,
				description: 'Whether to add suggested follow-up questions to the output',
				displayOptions: sonarOnly,
			},
			{
				displayName: 'Search Context Size',
				name: 'contextSize',
				type: 'options',
				options: [
					{
						name: 'High',
						value: 'high',
						description: 'Most context; best for research, costs more',
					},
					{ name: 'Low', value: 'low', description: 'Least context; cheapest' },
					{ name: 'Medium', value: 'medium' },
				],
				default: 'low',
				description: 'How much text from the search results the model reads',
			},
			{
				displayName: 'Search Mode',
				name: 'searchMode',
				type: 'options',
				options: [
					{ name: 'Academic', value: 'academic', description: 'Scholarly articles and papers' },
					{ name: 'SEC', value: 'sec', description: 'SEC filings' },
					{ name: 'Web', value: 'web', description: 'The whole web' },
				],
				default: 'web',
				displayOptions: sonarOnly,
			},
			{
				displayName: 'Updated After',
				name: 'updatedAfter',
				type: 'dateTime',
				default: '',
				description: 'Only sources last updated after this date (cannot be combined with Recency)',
			},
			{
				displayName: 'Updated Before',
				name: 'updatedBefore',
				type: 'dateTime',
				default: '',
				description: 'Only sources last updated before this date (cannot be combined with Recency)',
			},
			{
				displayName: 'User Location',
				name: 'userLocation',
				type: 'fixedCollection',
				default: {},
				placeholder: 'Add Location',
				description: 'Where the user is, to favour local results',
				options: [
					{
						displayName: 'Location',
						name: 'location',
						values: [
							{ displayName: 'City', name: 'city', type: 'string', default: '' },
							{
								displayName: 'Country',
								name: 'country',
								type: 'string',
								default: '',
								placeholder: 'e.g. US',
								description: 'Two-letter ISO 3166-1 code',
							},
							{ displayName: 'Latitude', name: 'latitude', type: 'number', default: 0 },
							{ displayName: 'Longitude', name: 'longitude', type: 'number', default: 0 },
							{ displayName: 'Region', name: 'region', type: 'string', default: '' },
						],
					},
				],
			},
		],
	},
	{
		displayName: 'Request Options',
		name: 'requestOptions',
		type: 'collection',
		placeholder: 'Add Request Option',
		default: {},
		options: requestOptionsForCompletion,
	},
];

export const description = updateDisplayOptions({ show: { operation: ['complete'] } }, properties);

interface PreparedChat {
	settings: ChatSettings;
	body: IDataObject;
	output: OutputSettings;
}

function readChatParameters(context: IExecuteFunctions, itemIndex: number): RawChatParameters {
	const inputMode = context.getNodeParameter('inputMode', itemIndex, 'messages');
	const get = (name: string, fallback: unknown = undefined) =>
		context.getNodeParameter(name, itemIndex, fallback) as unknown;
	return {
		api: get('api', 'agent'),
		model: context.getNodeParameter('model', itemIndex, '', { extractValue: true }),
		inputMode,
		messages: inputMode === 'messages' ? get('messages', {}) : undefined,
		messagesJson: inputMode === 'json' ? get('messagesJson', '') : undefined,
		prompt: inputMode === 'prompt' ? get('prompt', '') : undefined,
		systemPrompt: inputMode === 'prompt' ? get('systemPrompt', '') : undefined,
		options: get('options', {}) as IDataObject,
		searchOptions: get('searchOptions', {}) as IDataObject,
		requestOptions: get('requestOptions', {}) as IDataObject,
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: PerplexityClient,
	secrets: string[],
): Promise<INodeExecutionData[][]> {
	const { execution, requestOptions } = readExecutionSettings(this);
	const callerStreams = typeof this.isStreaming === 'function' && this.isStreaming();
	// A streaming caller shows one text: items answered one at a time reach it in order, not mixed.
	if (callerStreams && requestOptions.stream !== false) execution.concurrency = 1;
	const limiter = new RateLimiter(execution.requestsPerMinute, sleep);

	const prepare = (itemIndex: number): PreparedChat => {
		const raw = readChatParameters(this, itemIndex);
		const settings = resolveChatSettings(raw, callerStreams);
		return {
			settings,
			body: buildRequest(settings),
			output: resolveOutputSettings(
				this.getNodeParameter('simplify', itemIndex, false),
				raw.options,
			),
		};
	};

	return await runItems(this, execution, prepare, async ({ settings, body, output }, itemIndex) => {
		const forward = callerStreams && settings.stream;
		// sendChunk may return a promise, depending on the n8n version: wait for each one.
		const send = async (...chunk: Parameters<IExecuteFunctions['sendChunk']>) => {
			await Promise.resolve(this.sendChunk(...chunk));
		};
		if (forward) await send('begin', itemIndex);
		const pending: Array<Promise<void>> = [];
		const result = await client.call(
			{
				method: 'POST',
				path: settings.api === 'agent' ? AGENT_PATH : SONAR_PATH,
				body,
				stream: settings.stream ? settings.api : undefined,
			},
			{
				timeoutMs: execution.timeoutMs,
				maxRetries: execution.maxRetries,
				limiter,
				onText: forward ? (delta) => void pending.push(send('item', itemIndex, delta)) : undefined,
			},
		);

		const finished =
			result.ok && settings.background === 'wait'
				? await waitForRun(client, result.body, execution, limiter)
				: result;
		const outcome = itemOutput(this.getNode(), settings.api, finished, output, itemIndex, secrets);
		if (forward) {
			await Promise.all(pending);
			if (outcome instanceof Error) await send('error', itemIndex, outcome.message);
			else await send('end', itemIndex);
		}
		return outcome;
	});
}
