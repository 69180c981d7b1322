import type { GenerateResult, Message, StreamChunk } from '@n8n/ai-node-sdk';
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { AGENT_PATH } from '../PerplexityChat/helpers/constants';
import { agentOutputText } from '../PerplexityChat/helpers/responses';
import type { CallResult, PerplexityClient } from '../PerplexityChat/transport/client';
import { runFailure } from '../PerplexityChat/transport/failures';
import { failureToNodeApiError } from '../PerplexityChat/transport/nodeErrors';
import { readAgentTurn, toAgentInput, toAgentTools, toGenerateResult } from './helpers/conversions';
import type { ModelSettings } from './helpers/settings';
import type { AiNodeSdk } from './sdk';

/** Everything one model instance needs, fixed when the AI node asks the sub-node for its model. */
export interface ModelRun {
	client: PerplexityClient;
	node: INode;
	settings: ModelSettings;
	/** The credential's API key, kept out of every error message. */
	secrets: string[];
}

/** Text deltas from the transport's callback, as an async iterable for stream(). */
class TextQueue implements AsyncIterable<string> {
	private readonly pending: string[] = [];

	private closed = false;

	private wake: (() => void) | undefined;

	push(text: string): void {
		this.pending.push(text);
		this.wake?.();
	}

	close(): void {
		this.closed = true;
		this.wake?.();
	}

	async *[Symbol.asyncIterator](): AsyncIterator<string> {
		for (;;) {
			const next = this.pending.shift();
			if (next !== undefined) {
				yield next;
				continue;
			}
			if (this.closed) return;
			await new Promise<void>((resolve) => (this.wake = resolve));
			this.wake = undefined;
		}
	}
}

const classes = new WeakMap<AiNodeSdk, ReturnType<typeof defineModel>>();

/** The model class on the SDK n8n provides; defined once per SDK module. */
export function perplexityChatModelClass(sdk: AiNodeSdk): ReturnType<typeof defineModel> {
	let defined = classes.get(sdk);
	if (!defined) {
		defined = defineModel(sdk);
		classes.set(sdk, defined);
	}
	return defined;
}

function defineModel(sdk: AiNodeSdk) {
	/**
	 * Perplexity's Agent API as an n8n chat model: every call goes through Perplexity Chat's
	 * transport (credential, retries, error messages, key redaction); the AI node's tools go out
	 * as function tools and come back as tool calls.
	 */
	return class PerplexityChatModel extends sdk.BaseChatModel {
		constructor(private readonly run: ModelRun) {
			super('perplexity', run.settings.modelId);
		}

		async generate(messages: Message[]): Promise<GenerateResult> {
			const body = this.requestBody(messages);
			const response = this.answer(await this.send(body));
			return toGenerateResult(
				response,
				readAgentTurn(response, this.toolNames(), this.run.settings.appendSources),
			);
		}

		async *stream(messages: Message[]): AsyncIterable<StreamChunk> {
			const body = { ...this.requestBody(messages), stream: true };
			const deltas = new TextQueue();
			const call = this.send(body, (delta) => deltas.push(delta));
			call.then(
				() => deltas.close(),
				() => deltas.close(),
			);
			let streamed = false;
			for await (const delta of deltas) {
				streamed = true;
				yield { type: 'text-delta', delta };
			}
			const response = this.answer(await call);
			const turn = readAgentTurn(response, this.toolNames(), this.run.settings.appendSources);
			const answer = agentOutputText(response);
			// A terminal event can bring text that no delta carried; the source list comes last.
			const rest = streamed ? turn.text.slice(answer.length) : turn.text;
			if (rest !== '') yield { type: 'text-delta', delta: rest };
			// n8n's adapter merges every tool call of a stream into one (it gives them all index 0),
			// so a streamed turn passes on its first call; the model asks for the others next turn.
			const [first] = turn.toolCalls;
			if (first) {
				yield {
					type: 'tool-call-delta',
					id: first.toolCallId,
					name: first.toolName,
					argumentsDelta: first.input,
				};
			}
			yield { type: 'finish', finishReason: turn.finishReason, usage: turn.usage };
		}

		private toolNames(): Set<string> {
			return new Set(this.tools.filter((tool) => tool.type === 'function').map(({ name }) => name));
		}

		private requestBody(messages: Message[]): IDataObject {
			const { settings, node } = this.run;
			let input: IDataObject[];
			try {
				input = toAgentInput(messages);
			} catch (error) {
				throw new NodeOperationError(node, error as Error);
			}
			const body: IDataObject = { ...settings.body, input };
			const functions = toAgentTools(this.tools, (tool) => sdk.getParametersJsonSchema(tool));
			if (functions.length > 0) {
				const tools = Array.isArray(body.tools) ? [...(body.tools as IDataObject[])] : [];
				// A request's tool list replaces the one a preset brings: web search is named next to
				// the functions so that the model can still search.
				if (settings.webSearch && !tools.some((tool) => tool.type === 'web_search')) {
					tools.unshift({ type: 'web_search' });
				}
				body.tools = [...tools, ...functions];
			}
			return body;
		}

		private async send(body: IDataObject, onText?: (delta: string) => void): Promise<CallResult> {
			const { client, settings } = this.run;
			return await client.call(
				{ method: 'POST', path: AGENT_PATH, body, stream: body.stream ? 'agent' : undefined },
				{ ...settings.call, onText },
			);
		}

		/** The response of a run that answered; anything else as the error Perplexity Chat reports. */
		private answer(result: CallResult): IDataObject {
			const { node, secrets } = this.run;
			if (!result.ok) {
				throw failureToNodeApiError(node, result.failure, result.attempts, undefined, secrets);
			}
			const { body } = result;
			if (body.status === 'failed' || body.status === 'cancelled') {
				throw failureToNodeApiError(node, runFailure(body), result.attempts, undefined, secrets);
			}
			return body;
		}
	};
}
