/**
 * The part of n8n's AI node SDK (`@n8n/ai-node-sdk`, 0.31.1 in n8n 2.41.1; same API since 0.7.0
 * in n8n 2.16.0) that this node uses, declared here because the SDK cannot be installed for
 * development: it depends on n8n-workflow 2.41, whose native isolated-vm does not build on the
 * Node 20 this project is developed and tested on. n8n provides the real module at run time (it
 * is a peer dependency), and the end-to-end tests run the node against it in real n8n.
 */
declare module '@n8n/ai-node-sdk' {
	import type { ISupplyDataFunctions, SupplyData } from 'n8n-workflow';

	export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

	export interface ContentMetadata {
		providerMetadata?: Record<string, unknown>;
	}
	export type ContentText = ContentMetadata & { type: 'text'; text: string };
	export type ContentReasoning = ContentMetadata & { type: 'reasoning'; text: string };
	export type ContentFile = ContentMetadata & {
		type: 'file';
		mediaType?: string;
		data: string | Uint8Array;
	};
	export type ContentToolCall = ContentMetadata & {
		type: 'tool-call';
		toolCallId?: string;
		toolName: string;
		/** The arguments as JSON text. */
		input: string;
	};
	export type ContentToolResult = ContentMetadata & {
		type: 'tool-result';
		toolCallId: string;
		result: unknown;
		isError?: boolean;
	};
	export type ContentOther = ContentMetadata & {
		type: 'invalid-tool-call' | 'citation' | 'provider';
	};
	export type MessageContent =
		| ContentText
		| ContentReasoning
		| ContentFile
		| ContentToolCall
		| ContentToolResult
		| ContentOther;

	export interface Message {
		role: MessageRole;
		content: MessageContent[];
		name?: string;
		id?: string;
	}

	export interface FunctionTool {
		type: 'function';
		name: string;
		description?: string;
		/** JSON Schema, or a Zod schema: getParametersJsonSchema() gives JSON Schema either way. */
		inputSchema: unknown;
		strict?: boolean;
		providerOptions?: Record<string, unknown>;
	}
	export interface ProviderTool {
		type: 'provider';
		name: string;
		args?: Record<string, unknown>;
	}
	export type Tool = FunctionTool | ProviderTool;

	export type FinishReason =
		| 'stop'
		| 'length'
		| 'content-filter'
		| 'tool-calls'
		| 'error'
		| 'other';

	export interface TokenUsage {
		promptTokens: number;
		completionTokens: number;
		totalTokens: number;
		inputTokenDetails?: { cacheRead?: number };
		outputTokenDetails?: { reasoning?: number };
		additionalMetadata?: Record<string, unknown>;
	}

	export interface GenerateResult {
		id?: string;
		finishReason?: FinishReason;
		usage?: TokenUsage;
		message: Message;
		providerMetadata?: Record<string, unknown>;
		rawResponse?: unknown;
	}

	export type StreamChunk = ContentMetadata &
		(
			| { type: 'text-delta'; id?: string; delta: string }
			| { type: 'reasoning-delta'; id?: string; delta: string }
			| { type: 'tool-call-delta'; id?: string; name?: string; argumentsDelta?: string }
			| { type: 'finish'; finishReason: FinishReason; usage?: TokenUsage }
			| { type: 'error'; error: unknown }
			| { type: 'content'; content: MessageContent; id?: string }
		);

	export interface ChatModelConfig {
		maxTokens?: number;
		temperature?: number;
		topP?: number;
		maxRetries?: number;
		timeout?: number;
		abortSignal?: AbortSignal;
	}

	export interface ChatModel {
		provider: string;
		modelId: string;
		generate(messages: Message[], config?: ChatModelConfig): Promise<GenerateResult>;
		stream(messages: Message[], config?: ChatModelConfig): AsyncIterable<StreamChunk>;
		withTools(tools: Tool[]): ChatModel;
	}

	export abstract class BaseChatModel implements ChatModel {
		provider: string;
		modelId: string;
		protected tools: Tool[];
		constructor(provider: string, modelId: string, defaultConfig?: ChatModelConfig, tools?: Tool[]);
		abstract generate(messages: Message[], config?: ChatModelConfig): Promise<GenerateResult>;
		abstract stream(messages: Message[], config?: ChatModelConfig): AsyncIterable<StreamChunk>;
		withTools(tools: Tool[]): ChatModel;
	}

	export function getParametersJsonSchema(tool: FunctionTool): unknown;

	export function supplyModel(context: ISupplyDataFunctions, model: ChatModel): SupplyData;
}
