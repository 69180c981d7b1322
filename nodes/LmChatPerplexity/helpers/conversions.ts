import type {
	ContentToolCall,
	FinishReason,
	FunctionTool,
	GenerateResult,
	Message,
	MessageContent,
	TokenUsage,
	Tool,
} from '@n8n/ai-node-sdk';
import type { IDataObject } from 'n8n-workflow';

import { agentOutputText, agentSearchResults } from '../../PerplexityChat/helpers/responses';

/**
 * Pure conversions between n8n's AI SDK shapes and the Agent API's, both ways. Every request
 * field written here is in Perplexity's official SDK request types: input messages `{role,
 * content}` (content a string or `input_text` / `input_image` parts), `function_call` and
 * `function_call_output` input items, and function tools `{type, name, description,
 * parameters, strict}`.
 */

/** A message the Agent API cannot take; the model turns it into a NodeOperationError. */
export class ConversionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ConversionError';
	}
}

const textOf = (content: MessageContent[]) =>
	content
		.filter((part): part is Extract<MessageContent, { type: 'text' }> => part.type === 'text')
		.map((part) => part.text)
		.join('\n');

function imageUrl(part: Extract<MessageContent, { type: 'file' }>, where: string): string {
	const type = part.mediaType ?? '';
	if (!type.startsWith('image/')) {
		throw new ConversionError(
			`${where} carries a file of type ${type || 'unknown'}: the Agent API takes text and images only`,
		);
	}
	if (typeof part.data !== 'string') {
		throw new ConversionError(
			`${where} carries an image as bytes: pass it as base64 text or a URL`,
		);
	}
	return /^(https?:|data:)/.test(part.data) ? part.data : `data:${type};base64,${part.data}`;
}

/** User and system text as a string; with images, as input_text and input_image parts. */
function messageContent(content: MessageContent[], where: string): string | IDataObject[] {
	const files = content.filter((part) => part.type === 'file');
	if (files.length === 0) return textOf(content);
	const parts: IDataObject[] = [];
	for (const part of content) {
		if (part.type === 'text') parts.push({ type: 'input_text', text: part.text });
		if (part.type === 'file') parts.push({ type: 'input_image', image_url: imageUrl(part, where) });
	}
	return parts;
}

/**
 * n8n 2.41 can hand a tool call back with its own `id` added to the arguments (noted when this
 * SDK was tried out in real n8n): the model did not write it, so it is taken out again when it
 * is exactly the call's id.
 */
function callArguments(call: ContentToolCall): string {
	try {
		const args: unknown = JSON.parse(call.input);
		if (args && typeof args === 'object' && !Array.isArray(args)) {
			const { id, ...rest } = args as IDataObject;
			if (id !== undefined && id === call.toolCallId) return JSON.stringify(rest);
		}
	} catch {
		// Not JSON: sent as the model wrote it.
	}
	return call.input;
}

/** A tool's result as the text of a function_call_output; errors say that they are errors. */
export function toolOutputText(result: unknown, isError = false): string {
	let text: string;
	if (typeof result === 'string') text = result;
	else if (Array.isArray(result) && result.every((part) => part?.type === 'text')) {
		text = result.map((part: { text: string }) => part.text).join('\n');
	} else text = JSON.stringify(result ?? null);
	return isError ? `Error: ${text}` : text;
}

/**
 * The conversation as Agent API input items. System, user and assistant text become messages
 * (system messages stay in the input, as Perplexity Chat sends them, so a preset keeps its own
 * instructions); an assistant's tool calls become `function_call` items and tool results
 * `function_call_output` items with the same `call_id`.
 */
export function toAgentInput(messages: Message[]): IDataObject[] {
	const input: IDataObject[] = [];
	messages.forEach((message, index) => {
		const where = `Message ${index + 1} (${message.role})`;
		if (message.role === 'tool') {
			for (const part of message.content) {
				if (part.type !== 'tool-result') continue;
				input.push({
					type: 'function_call_output',
					call_id: part.toolCallId,
					output: toolOutputText(part.result, part.isError === true),
				});
			}
			return;
		}
		if (message.role === 'assistant') {
			const text = textOf(message.content);
			if (text !== '') input.push({ role: 'assistant', content: text });
			message.content.forEach((part, callIndex) => {
				if (part.type !== 'tool-call') return;
				input.push({
					type: 'function_call',
					call_id: part.toolCallId ?? `call_${index}_${callIndex}`,
					name: part.toolName,
					arguments: callArguments(part),
				});
			});
			return;
		}
		const content = messageContent(message.content, where);
		if (content === '' || (Array.isArray(content) && content.length === 0)) return;
		input.push({ role: message.role, content });
	});
	if (!input.some((item) => item.role === 'user')) {
		throw new ConversionError('The conversation has no user message to answer');
	}
	return input;
}

/**
 * The AI node's tools as Agent API function tools. Provider tools (another vendor's built-in
 * tools) have no Agent API counterpart and are left out; Perplexity's own web search is the
 * node's Search setting.
 */
export function toAgentTools(
	tools: Tool[],
	toJsonSchema: (tool: FunctionTool) => unknown,
): IDataObject[] {
	return tools
		.filter((tool): tool is FunctionTool => tool.type === 'function')
		.map((tool) => {
			const schema = toJsonSchema(tool);
			const agentTool: IDataObject = {
				type: 'function',
				name: tool.name,
				parameters:
					schema && typeof schema === 'object' ? (schema as IDataObject) : { type: 'object' },
			};
			if (tool.description) agentTool.description = tool.description;
			if (typeof tool.strict === 'boolean') agentTool.strict = tool.strict;
			return agentTool;
		});
}

function asObject(value: unknown): IDataObject {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
}

/**
 * The client tool calls of a response: `function_call` items naming a tool the AI node offered.
 * Calls the service runs itself (such as `search_web`) also come as `function_call` items and
 * are not the AI node's to run.
 */
export function agentToolCalls(response: IDataObject, toolNames: Set<string>): ContentToolCall[] {
	const output = Array.isArray(response.output) ? (response.output as unknown[]) : [];
	return output
		.map(asObject)
		.filter((item) => item.type === 'function_call' && toolNames.has(String(item.name)))
		.map(
			(item): ContentToolCall => ({
				type: 'tool-call',
				toolCallId: String(item.call_id ?? item.id ?? ''),
				toolName: String(item.name),
				input:
					typeof item.arguments === 'string'
						? item.arguments
						: JSON.stringify(item.arguments ?? {}),
			}),
		);
}

/**
 * The sources as a list under the answer, numbered by the ids its [n] markers refer to: a
 * Markdown list, so that n8n's chat shows one source a line, and still plain to read elsewhere.
 */
export function sourcesList(results: IDataObject[]): string {
	const lines = results
		.filter((result) => typeof result.url === 'string')
		.map((result, index) => {
			const id = typeof result.id === 'number' ? result.id : index + 1;
			const title = typeof result.title === 'string' && result.title !== '' ? result.title : '';
			return `- [${id}] ${title ? `${title}: ` : ''}${String(result.url)}`;
		});
	return lines.length ? `\n\nSources:\n${lines.join('\n')}` : '';
}

const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Agent API usage in the SDK's shape; the cost and tool-call counts ride along as metadata. */
export function agentUsage(usage: unknown): TokenUsage | undefined {
	const raw = asObject(usage);
	if (Object.keys(raw).length === 0) return undefined;
	const promptTokens = count(raw.input_tokens);
	const completionTokens = count(raw.output_tokens);
	const result: TokenUsage = {
		promptTokens,
		completionTokens,
		totalTokens: count(raw.total_tokens) || promptTokens + completionTokens,
	};
	const inputDetails = asObject(raw.input_tokens_details);
	const cached = inputDetails.cached_tokens ?? inputDetails.cache_read_input_tokens;
	if (typeof cached === 'number') result.inputTokenDetails = { cacheRead: cached };
	const reasoning = asObject(raw.output_tokens_details).reasoning_tokens;
	if (typeof reasoning === 'number') result.outputTokenDetails = { reasoning };
	const metadata: IDataObject = {};
	if (raw.cost !== undefined) metadata.cost = raw.cost;
	if (raw.tool_calls_details !== undefined) metadata.toolCalls = raw.tool_calls_details;
	if (Object.keys(metadata).length) result.additionalMetadata = metadata;
	return result;
}

function finishReasonOf(response: IDataObject, toolCalls: number): FinishReason {
	if (toolCalls > 0) return 'tool-calls';
	if (response.status === 'incomplete') return 'length';
	return 'stop';
}

export interface AgentTurn {
	/** The answer's text, with the source list under it when asked for. */
	text: string;
	toolCalls: ContentToolCall[];
	sources: IDataObject[];
	finishReason: FinishReason;
	usage?: TokenUsage;
}

/** What a completed (or incomplete) Agent response says, in the SDK's terms. */
export function readAgentTurn(
	response: IDataObject,
	toolNames: Set<string>,
	appendSources: boolean,
): AgentTurn {
	const toolCalls = agentToolCalls(response, toolNames);
	const sources = agentSearchResults(response);
	let text = agentOutputText(response);
	// A turn that calls tools is not the answer yet: its sources come with the answer that follows.
	if (appendSources && toolCalls.length === 0 && text !== '') text += sourcesList(sources);
	return {
		text,
		toolCalls,
		sources,
		finishReason: finishReasonOf(response, toolCalls.length),
		usage: agentUsage(response.usage),
	};
}

/** The SDK's result of generate(): text and tool calls, usage, and the sources as metadata. */
export function toGenerateResult(response: IDataObject, turn: AgentTurn): GenerateResult {
	const content: MessageContent[] = [];
	if (turn.text !== '') content.push({ type: 'text', text: turn.text });
	content.push(...turn.toolCalls);
	return {
		id: typeof response.id === 'string' ? response.id : undefined,
		finishReason: turn.finishReason,
		usage: turn.usage,
		message: { role: 'assistant', content },
		providerMetadata: {
			perplexity: {
				responseId: response.id,
				model: response.model,
				citations: turn.sources.map((source) => source.url).filter(Boolean),
				searchResults: turn.sources,
				cost: asObject(response.usage).cost,
			},
		},
	};
}
