import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { AGENT_PATH, SONAR_PATH } from '../../helpers/constants';
import { BINARY_FIELD, checkImageBytes, imageDataUrl } from '../../helpers/images';
import { InputError } from '../../helpers/inputError';
import type { ChatSettings, OutputSettings } from '../../helpers/interfaces';
import { type Presentation, present } from '../../helpers/presentation';
import { attachImage, buildRequest } from '../../helpers/requests';
import { addRunTotals } from '../../helpers/runTotals';
import {
	type RawChatParameters,
	resolveChatSettings,
	resolveOutputSettings,
} from '../../helpers/settings';
import { callOptionsOf, type PerplexityClient } from '../../transport/client';
import {
	FROM_V2,
	modelProperty,
	requestOptionsForCompletion,
	simplifyProperty,
	V1,
} from '../common.description';
import { inputErrorFor, readExecutionSettings, runItems } from '../runItems';
import { chatOptions } from './options.description';
import { itemOutput, waitForRun } from '../results';
import { samplingProperties } from './sampling.description';
import { searchOptions } from './search.description';

/** In an AI Agent (version 2), the node asks the agent for one thing: the question. */
const TOOL_V2 = { ...FROM_V2, '@tool': [true] };

const inputMode: INodeProperties = {
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
};

const inputModeProperties: INodeProperties[] = [
	{ ...inputMode, displayOptions: { show: V1 } },
	{ ...inputMode, displayOptions: { show: { ...FROM_V2, '@tool': [false] } } },
	{ ...inputMode, default: 'prompt', displayOptions: { show: TOOL_V2 } },
];

const prompt: INodeProperties = {
	displayName: 'Prompt',
	name: 'prompt',
	type: 'string',
	typeOptions: { rows: 3 },
	default: '',
	required: true,
	placeholder: 'e.g. What changed in EU AI regulation this month?',
};

const promptProperties: INodeProperties[] = [
	{ ...prompt, displayOptions: { show: { inputMode: ['prompt'], ...V1 } } },
	{ ...prompt, displayOptions: { show: { inputMode: ['prompt'], ...FROM_V2, '@tool': [false] } } },
	{
		...prompt,
		// The form n8n's editor writes for "Let the model define this parameter", so that the editor
		// shows it as such; the agent fills in one clearly named argument, `question`.
		default:
			"={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('question', `The question to answer from current sources on the web, as a full sentence`, 'string') }}",
		displayOptions: { show: { inputMode: ['prompt'], ...TOOL_V2 } },
	},
];

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
	modelProperty(
		'On the Agent API: a preset, a model from the live list, or a Sonar model name (mapped the way Perplexity maps it). On Sonar Chat Completions: a Sonar model.',
	),
	...inputModeProperties,
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
	...promptProperties,
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
	...samplingProperties,
	{ ...simplifyProperty, displayOptions: { show: V1 } },
	{ ...simplifyProperty, displayOptions: { show: { ...FROM_V2, '@tool': [false] } } },
	{
		displayName: 'Return Full Response',
		name: 'fullResponse',
		type: 'boolean',
		default: false,
		description:
			'Whether to give the agent the whole chat completion (search results, usage, IDs) instead of the answer, its citations and the finish reason. The agent reads all of it, so this costs more tokens.',
		displayOptions: { show: TOOL_V2 },
	},
	...chatOptions,
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
	presentation: Presentation;
}

/**
 * The bytes of the item's image and the MIME type to send them as, checked. Read once before
 * anything is sent (to check every item first) and again when the item's request goes out, so that
 * items waiting for their turn do not each hold an image in memory.
 */
async function readBinaryImage(
	context: IExecuteFunctions,
	itemIndex: number,
	property: string,
): Promise<{ bytes: Buffer; mimeType: string }> {
	let data: IBinaryData;
	try {
		// n8n's own lookup, which knows where the workflow keeps binary data (its binary mode).
		data = context.helpers.assertBinaryData(itemIndex, property);
	} catch {
		const names = Object.keys(context.getInputData()[itemIndex]?.binary ?? {});
		const missing = new InputError(
			BINARY_FIELD,
			names.length === 0
				? `the item has no binary data, so no image in "${property}"`
				: `the item has no binary field "${property}" (it has ${names.map((name) => `"${name}"`).join(', ')})`,
			'Name the binary field that holds the image, as the node before this one outputs it (often "data").',
		);
		throw inputErrorFor(context, missing, itemIndex);
	}
	const bytes = await context.helpers.getBinaryDataBuffer(itemIndex, property);
	return { bytes, mimeType: checkImageBytes(property, bytes, data) };
}

const SAMPLING_PARAMETERS = [
	'maxTokens',
	'temperature',
	'topP',
	'topK',
	'frequencyPenalty',
	'presencePenalty',
];

function readChatParameters(
	context: IExecuteFunctions,
	itemIndex: number,
	version: number,
): RawChatParameters {
	const inputMode = context.getNodeParameter('inputMode', itemIndex, 'messages');
	const get = (name: string, fallback: unknown = undefined) =>
		context.getNodeParameter(name, itemIndex, fallback) as unknown;
	// Version 2's own parameters; those the chosen API does not show are not there to read.
	const sampling: IDataObject = {};
	if (version >= 2) {
		for (const name of SAMPLING_PARAMETERS) sampling[name] = get(name, null) as IDataObject[string];
	}
	return {
		version,
		sampling,
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

/**
 * Version 1 keeps its output as saved workflows know it. Version 2 puts the answer first; as an
 * AI Agent's tool it returns only what the agent needs, unless Return Full Response is on. That
 * parameter exists only on the tool, so outside an agent the fallback (full) applies.
 */
function presentationFor(
	context: IExecuteFunctions,
	itemIndex: number,
	version: number,
): Presentation {
	if (version < 2) return 'completion';
	return context.getNodeParameter('fullResponse', itemIndex, true) === true
		? 'answerFirst'
		: 'tool';
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
	// getNode() returns a deep copy each time: one is enough for every item's errors.
	const node = this.getNode();

	const version = node.typeVersion;

	const prepare = async (itemIndex: number): Promise<PreparedChat> => {
		const raw = readChatParameters(this, itemIndex, version);
		const settings = resolveChatSettings(raw, callerStreams);
		if (settings.image?.source === 'binary') {
			await readBinaryImage(this, itemIndex, settings.image.property);
		}
		return {
			settings,
			body: buildRequest(settings),
			output: resolveOutputSettings(
				this.getNodeParameter('simplify', itemIndex, false),
				raw.options,
			),
			presentation: presentationFor(this, itemIndex, version),
		};
	};

	const results = await runItems(this, execution, prepare, async (prepared, itemIndex) => {
		const { settings, output } = prepared;
		let { body } = prepared;
		if (settings.image?.source === 'binary') {
			const { bytes, mimeType } = await readBinaryImage(this, itemIndex, settings.image.property);
			body = attachImage(settings.api, body, imageDataUrl(mimeType, bytes));
		}
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
				...callOptionsOf(execution),
				onText: forward ? (delta) => void pending.push(send('item', itemIndex, delta)) : undefined,
			},
		);

		const finished =
			result.ok && settings.background === 'wait'
				? await waitForRun(client, result.body, execution)
				: result;
		const answer = itemOutput(node, settings.api, finished, output, itemIndex, secrets);
		const outcome = answer instanceof Error ? answer : present(answer, prepared.presentation);
		if (forward) {
			await Promise.all(pending);
			if (outcome instanceof Error) await send('error', itemIndex, outcome.message);
			else await send('end', itemIndex);
		}
		return outcome;
	});
	// A setting of the run, as Request Options are: read from the first item.
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	return version >= 2 && options.addRunTotals === true ? [addRunTotals(results[0])] : results;
}
