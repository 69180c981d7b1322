import type { IDataObject } from 'n8n-workflow';

import type { ApiFailure } from './failures';
import type { SseEvent } from './sse';

/**
 * Turns the events of one streamed answer into the same body a non-streamed call returns.
 * `accept` gives back the text delta an event carried (to forward to a streaming caller).
 */
export interface StreamAccumulator {
	accept(event: SseEvent): string;
	finish(): { body: IDataObject } | { failure: ApiFailure };
}

function parseEvent(event: SseEvent): IDataObject | undefined {
	try {
		const parsed: unknown = JSON.parse(event.data);
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
			? (parsed as IDataObject)
			: undefined;
	} catch {
		return undefined;
	}
}

function malformed(event: SseEvent): ApiFailure {
	return {
		kind: 'malformed',
		message: `The stream carried an event that is not JSON: ${event.data.slice(0, 80)}`,
		retryable: true,
	};
}

function cutShort(what: string): ApiFailure {
	return {
		kind: 'stream',
		message: `The stream ended before the answer was complete (${what})`,
		retryable: true,
	};
}

function errorEventFailure(payload: IDataObject): ApiFailure {
	const error = (
		payload.error && typeof payload.error === 'object' ? payload.error : payload
	) as IDataObject;
	return {
		kind: 'stream',
		message: typeof error.message === 'string' ? error.message : 'The stream reported an error',
		type: typeof error.type === 'string' ? error.type : undefined,
		code: typeof error.code === 'string' || typeof error.code === 'number' ? error.code : undefined,
		retryable: true,
	};
}

const AGENT_TERMINAL_EVENTS = new Set([
	'response.completed',
	'response.incomplete',
	'response.failed',
	'response.cancelled',
]);

/**
 * Agent API events (perplexity-api.md §4): the terminal event carries the whole response, so the
 * deltas only serve forwarding. Sequence numbers may skip and unknown events are ignored; a
 * stream that stops before a terminal event is a failure, never a half answer.
 */
export class AgentStreamAccumulator implements StreamAccumulator {
	private text = '';

	private searchResults: IDataObject[] = [];

	private response: IDataObject | undefined;

	private failure: ApiFailure | undefined;

	accept(event: SseEvent): string {
		if (this.response || this.failure || event.data === '[DONE]') return '';
		const payload = parseEvent(event);
		if (!payload) {
			this.failure = malformed(event);
			return '';
		}
		const type = typeof payload.type === 'string' ? payload.type : event.event;
		if (type === 'response.output_text.delta' && typeof payload.delta === 'string') {
			this.text += payload.delta;
			return payload.delta;
		}
		if (type === 'response.reasoning.search_results' && Array.isArray(payload.results)) {
			this.searchResults.push(...(payload.results as IDataObject[]));
		} else if (type !== undefined && AGENT_TERMINAL_EVENTS.has(type)) {
			this.response = (payload.response as IDataObject | undefined) ?? {
				status: type.slice('response.'.length),
			};
		} else if (type === 'error') {
			this.failure = errorEventFailure(payload);
		}
		return '';
	}

	finish(): { body: IDataObject } | { failure: ApiFailure } {
		if (this.failure) return { failure: this.failure };
		if (!this.response) return { failure: cutShort('no final response event') };
		const output = this.response.output;
		if (Array.isArray(output) && output.length > 0) return { body: this.response };
		// A terminal event without its output: rebuild it from what the stream showed.
		const rebuilt: IDataObject[] = [];
		if (this.searchResults.length)
			rebuilt.push({ type: 'search_results', results: this.searchResults });
		rebuilt.push({
			type: 'message',
			role: 'assistant',
			content: [{ type: 'output_text', text: this.text }],
		});
		return { body: { ...this.response, output: rebuilt } };
	}
}

const SONAR_METADATA = [
	'id',
	'model',
	'created',
	'citations',
	'search_results',
	'images',
	'related_questions',
	'usage',
];

/**
 * Sonar chunks (perplexity-api.md §7): deltas carry the text, the last chunk
 * (`chat.completion.done`) the citations and final usage; `[DONE]` may or may not follow.
 */
export class SonarStreamAccumulator implements StreamAccumulator {
	private text = '';

	private metadata: IDataObject = {};

	private finishReason: string | undefined;

	private finalMessage: string | undefined;

	private complete = false;

	private failure: ApiFailure | undefined;

	accept(event: SseEvent): string {
		if (this.failure) return '';
		if (event.data === '[DONE]') {
			this.complete = true;
			return '';
		}
		const chunk = parseEvent(event);
		if (!chunk) {
			this.failure = malformed(event);
			return '';
		}
		if (chunk.error) {
			this.failure = errorEventFailure(chunk);
			return '';
		}
		for (const key of SONAR_METADATA) {
			if (chunk[key] !== undefined) this.metadata[key] = chunk[key];
		}
		if (chunk.object === 'chat.completion.done') this.complete = true;
		const [choice] = Array.isArray(chunk.choices) ? (chunk.choices as IDataObject[]) : [];
		if (!choice) return '';
		if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
		const message = choice.message as IDataObject | undefined;
		if (typeof message?.content === 'string') this.finalMessage = message.content;
		const delta = (choice.delta as IDataObject | undefined)?.content;
		if (typeof delta !== 'string' || chunk.object === 'chat.completion.done') return '';
		this.text += delta;
		return delta;
	}

	finish(): { body: IDataObject } | { failure: ApiFailure } {
		if (this.failure) return { failure: this.failure };
		if (!this.complete && this.finishReason === undefined) {
			return { failure: cutShort('no finish reason, final chunk or [DONE]') };
		}
		return {
			body: {
				...this.metadata,
				object: 'chat.completion',
				choices: [
					{
						index: 0,
						finish_reason: this.finishReason ?? 'stop',
						message: { role: 'assistant', content: this.text || (this.finalMessage ?? '') },
					},
				],
			},
		};
	}
}
