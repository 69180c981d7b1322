import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

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
import { requestOptionsForCompletion, simplifyProperty } from '../common.description';
import { readExecutionSettings, runItems } from '../runItems';
import { chatOptions } from './options.description';
import { itemOutput, waitForRun } from './results';
import { searchOptions } from './search.description';

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
	chatOptions,
	searchOptions,
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
	const limiter = new RateLimiter(execution.requestsPerMinute);
	// getNode() returns a deep copy each time: one is enough for every item's errors.
	const node = this.getNode();

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
		const outcome = itemOutput(node, settings.api, finished, output, itemIndex, secrets);
		if (forward) {
			await Promise.all(pending);
			if (outcome instanceof Error) await send('error', itemIndex, outcome.message);
			else await send('end', itemIndex);
		}
		return outcome;
	});
}
