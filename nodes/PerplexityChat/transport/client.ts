import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	ISupplyDataFunctions,
} from 'n8n-workflow';

import {
	CREDENTIAL_TYPE,
	DEFAULT_BASE_URL,
	DEFAULT_MAX_RATE_LIMIT_WAIT_S,
	SONAR_PATH,
} from '../helpers/constants';
import type { ExecutionSettings } from '../helpers/interfaces';
import { sleepUnlessCancelled } from '../helpers/scheduling';
import { CHAT_ENDPOINTS, refusedField, type WireEndpoint } from '../helpers/wireFields';
import {
	type ApiFailure,
	cancelledFailure,
	httpFailure,
	requestErrorFailure,
	retryDelayMs,
} from './failures';
import { type RateGate, rateGateFor } from './rateGate';
import { SseParser } from './sse';
import { AgentStreamAccumulator, SonarStreamAccumulator, type StreamAccumulator } from './streams';

export interface ApiRequest {
	method: IHttpRequestMethods;
	path: string;
	body?: IDataObject;
	/** Ask for server-sent events, in the event format of this API. */
	stream?: 'agent' | 'sonar';
	/**
	 * What the node sends to this endpoint, to name the option behind a field it refuses; the
	 * chat APIs' tables (by path) when not given.
	 */
	endpoint?: WireEndpoint;
}

export interface CallOptions {
	timeoutMs: number;
	maxRetries: number;
	/** How long a request may wait on Perplexity's rate limit in all; 10 minutes if not given. */
	maxRateLimitWaitMs?: number;
	/** Max Requests per Minute: a cap shared with every request on this API key and Base URL. */
	requestsPerMinute?: number;
	/** Receives text deltas of a streamed answer as they arrive. */
	onText?: (delta: string) => void;
}

/** A request's options as the run's Request Options set them. */
export function callOptionsOf(execution: ExecutionSettings): CallOptions {
	return {
		timeoutMs: execution.timeoutMs,
		maxRetries: execution.maxRetries,
		maxRateLimitWaitMs: execution.maxRateLimitWaitMs,
		requestsPerMinute: execution.requestsPerMinute,
	};
}

export type CallResult =
	| { ok: true; body: IDataObject; attempts: number }
	| { ok: false; failure: ApiFailure; attempts: number };

/** An attempt's result, with the status and headers the rate state learns from. */
type Outcome = ({ body: IDataObject } | { failure: ApiFailure }) & {
	status?: number;
	headers?: Record<string, string>;
};

type Context = IExecuteFunctions | ILoadOptionsFunctions | ISupplyDataFunctions;

export function baseUrlOf(credentials: { baseUrl?: unknown }): string {
	const url = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return (url || DEFAULT_BASE_URL).replace(/\/+$/, '');
}

/**
 * The one place that talks HTTP to Perplexity. Every attempt goes through n8n's authenticated
 * request helper with status errors turned off, so that this class sees every status, header and
 * body and applies the official SDK's retry rules per request.
 */
export class PerplexityClient {
	private readonly baseUrl: string;

	/**
	 * Handed to every request: without them n8n's helper loads and decrypts the credential from
	 * its store once per request, which was the largest part of the node's CPU time per item.
	 */
	private readonly credentialOptions: IAdditionalCredentialOptions;

	/** Shared with every request on the same API key and Base URL in this process. */
	private readonly rate: RateGate;

	constructor(
		private readonly context: Context,
		credentials: ICredentialDataDecryptedObject,
	) {
		this.baseUrl = baseUrlOf(credentials);
		this.rate = rateGateFor(this.baseUrl, credentials.apiKey);
		this.credentialOptions = {
			credentialsDecrypted: {
				id: '',
				name: CREDENTIAL_TYPE,
				type: CREDENTIAL_TYPE,
				data: credentials,
			},
		};
	}

	async call(request: ApiRequest, options: CallOptions): Promise<CallResult> {
		let forwardedText = false;
		const onText = options.onText
			? (delta: string) => {
					forwardedText = true;
					options.onText?.(delta);
				}
			: undefined;

		const signal = this.cancelSignal;
		const maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_S * 1000;
		let rateLimitWaitedMs = 0;
		for (let attempts = 1; ; ) {
			if (options.requestsPerMinute) {
				await this.rate.limiterFor(options.requestsPerMinute).acquire(signal);
			}
			const entry = await this.rate.enter(maxRateLimitWaitMs - rateLimitWaitedMs, signal);
			rateLimitWaitedMs += entry.waitedMs;
			if (!entry.entered) {
				const failure =
					entry.reason === 'cancelled'
						? cancelledFailure()
						: rateLimitExpired(this.rate.lastRateLimit, maxRateLimitWaitMs);
				return { ok: false, failure, attempts };
			}
			let outcome: Outcome | undefined;
			try {
				outcome = await this.attempt(request, options.timeoutMs, onText);
			} finally {
				// Also when the attempt threw: its place in flight is free again.
				this.rate.leave(entry.startedAt, {
					status: outcome?.status,
					headers: outcome?.headers,
					retryAfterMs: outcome && 'failure' in outcome ? outcome.failure.retryAfterMs : undefined,
				});
			}
			if ('body' in outcome) return { ok: true, body: outcome.body, attempts };

			// Text already shown to a caller cannot be taken back, so a broken stream is not retried.
			const { failure } = outcome;
			if (forwardedText) return { ok: false, failure, attempts };
			// A rate limit is waited out at the gate, within Max Wait for Rate Limit: not an attempt.
			if (failure.kind === 'http' && failure.status === 429 && failure.retryable) {
				this.rate.lastRateLimit = failure;
				continue;
			}
			if (!failure.retryable || attempts > options.maxRetries) {
				return { ok: false, failure, attempts };
			}
			await sleepUnlessCancelled(retryDelayMs(attempts - 1, failure.retryAfterMs), signal);
			if (signal?.aborted) return { ok: false, failure: cancelledFailure(), attempts };
			attempts++;
		}
	}

	/** Fires when the user stops the execution; load-options calls (the model list) have none. */
	get cancelSignal(): AbortSignal | undefined {
		return 'getExecutionCancelSignal' in this.context
			? this.context.getExecutionCancelSignal()
			: undefined;
	}

	private cancelled(): boolean {
		return this.cancelSignal?.aborted === true;
	}

	private async attempt(
		request: ApiRequest,
		timeoutMs: number,
		onText?: (delta: string) => void,
	): Promise<Outcome> {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${this.baseUrl}${request.path}`,
			headers: { Accept: request.stream ? 'text/event-stream' : 'application/json' },
			encoding: request.stream ? 'stream' : 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeoutMs,
		};
		if (request.body) options.body = request.body;
		// Stops the request in flight on a cancel. n8n's helper (1.94 and 2.x checked) adds the same
		// signal itself; setting it here does not depend on that.
		const signal = this.cancelSignal;
		if (signal) options.abortSignal = signal;

		let response: IN8nHttpFullResponse;
		try {
			response = (await this.context.helpers.httpRequestWithAuthentication.call(
				this.context,
				CREDENTIAL_TYPE,
				options,
				this.credentialOptions,
			)) as IN8nHttpFullResponse;
		} catch (error) {
			return {
				failure: requestErrorFailure(error, timeoutMs, this.cancelled(), this.baseUrl),
			};
		}

		const status = response.statusCode;
		const headers = response.headers as Record<string, string>;
		if (status < 200 || status >= 300) {
			const text = request.stream ? await readText(response.body) : bodyText(response.body);
			const failure = this.namingTheOption(request, httpFailure(status, headers, text));
			return { failure, status, headers };
		}
		if (request.stream) {
			const accumulator =
				request.stream === 'agent' ? new AgentStreamAccumulator() : new SonarStreamAccumulator();
			const streamed = await this.consume(response.body, accumulator, timeoutMs, onText);
			return { ...streamed, status, headers };
		}
		return { ...parseJsonBody(bodyText(response.body)), status, headers };
	}

	/**
	 * A 400 or 422 that names a field the node added on its own (Go's `param` on the Agent API) is about
	 * an option, not about the API: the error then names that option.
	 */
	private namingTheOption(request: ApiRequest, failure: ApiFailure): ApiFailure {
		if (!request.body || (failure.status !== 400 && failure.status !== 422)) return failure;
		const endpoint =
			request.endpoint ?? CHAT_ENDPOINTS[request.path === SONAR_PATH ? 'sonar' : 'agent'];
		const refused = refusedField(endpoint.table, request.body, failure);
		if (refused) failure.refused = { endpoint: endpoint.name, ...refused };
		return failure;
	}

	private async consume(
		stream: unknown,
		accumulator: StreamAccumulator,
		timeoutMs: number,
		onText?: (delta: string) => void,
	): Promise<Outcome> {
		const parser = new SseParser();
		const decoder = new TextDecoder();
		const take = (events: ReturnType<SseParser['push']>) => {
			for (const event of events) {
				const delta = accumulator.accept(event);
				if (delta && onText) onText(delta);
			}
		};
		try {
			for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
				take(
					parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })),
				);
			}
		} catch (error) {
			const failure = requestErrorFailure(error, timeoutMs, this.cancelled(), this.baseUrl);
			if (failure.kind === 'network') {
				failure.kind = 'stream';
				failure.message = `The stream broke off (${failure.code ?? 'connection error'})`;
			}
			return { failure };
		}
		take(parser.push(decoder.decode()));
		take(parser.end());
		return accumulator.finish();
	}
}

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (body instanceof Uint8Array) return new TextDecoder().decode(body);
	return body === undefined || body === null ? '' : JSON.stringify(body);
}

/** The body of an error status that arrived as a stream (we asked for SSE). */
async function readText(body: unknown): Promise<string> {
	if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
		return bodyText(body);
	}
	const decoder = new TextDecoder();
	let text = '';
	try {
		for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
			text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
		}
	} catch {
		// A reset while reading an error body still leaves the status, which is what matters.
	}
	return text + decoder.decode();
}

function parseJsonBody(text: string): Outcome {
	try {
		const body: unknown = JSON.parse(text);
		if (body && typeof body === 'object' && !Array.isArray(body))
			return { body: body as IDataObject };
	} catch {
		// handled below, like any other body that is not a JSON object
	}
	return {
		failure: {
			kind: 'malformed',
			message: `The answer is not the JSON object the API sends: ${text.slice(0, 80) || '(empty body)'}`,
			retryable: true,
		},
	};
}

/** A request that waited on the rate limit as long as Max Wait for Rate Limit allows. */
function rateLimitExpired(last: ApiFailure | undefined, maxWaitMs: number): ApiFailure {
	return {
		...(last ?? {
			kind: 'http',
			status: 429,
			message: 'Rate limit exceeded',
			retryable: true,
		}),
		retryable: false,
		rateLimitWaitMs: maxWaitMs,
	};
}
