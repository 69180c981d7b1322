import type { INode, JsonObject } from 'n8n-workflow';

import {
	type ApiFailure,
	displayUrl,
	httpFailure,
	isRetryableStatus,
	requestErrorFailure,
	retryAfterMs,
	retryDelayMs,
	runFailure,
	shouldRetry,
} from '../../nodes/PerplexityChat/transport/failures';
import { failureToNodeApiError, redact } from '../../nodes/PerplexityChat/transport/nodeErrors';

describe('which statuses are retried', () => {
	it.each([408, 409, 429, 500, 502, 503, 504])('%i is retried', (status) => {
		expect(isRetryableStatus(status)).toBe(true);
	});
	it.each([400, 401, 403, 404, 413, 422, 424])('%i is not', (status) => {
		expect(isRetryableStatus(status)).toBe(false);
	});
});

describe('x-should-retry, as the official SDKs obey it', () => {
	it.each<[number, string | undefined, boolean]>([
		[400, 'true', true],
		[409, 'true', true],
		[503, 'false', false],
		[429, 'false', false],
		[500, undefined, true],
		[400, undefined, false],
		// Anything but exactly true or false leaves the decision to the status.
		[400, 'yes', false],
		[503, 'False', true],
	])('status %i with x-should-retry %s: retry %s', (status, wish, expected) => {
		const headers = wish === undefined ? {} : { 'x-should-retry': wish };
		expect(shouldRetry(status, headers)).toBe(expected);
		expect(httpFailure(status, headers, '{"error":{"message":"m"}}').retryable).toBe(expected);
	});

	it('reads a repeated header by its first value', () => {
		expect(shouldRetry(500, { 'x-should-retry': ['false', 'true'] })).toBe(false);
	});
});

describe('retryAfterMs', () => {
	const now = Date.UTC(2026, 10, 28, 12, 0, 0);

	it('prefers retry-after-ms, then Retry-After seconds, then an HTTP date', () => {
		expect(retryAfterMs(429, { 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
		expect(retryAfterMs(503, { 'retry-after': '2' }, now)).toBe(2000);
		expect(retryAfterMs(503, { 'retry-after': new Date(now + 3000).toUTCString() }, now)).toBe(
			3000,
		);
	});

	it('reads x-ratelimit-reset on 429s, as unix seconds or seconds from now', () => {
		expect(retryAfterMs(429, { 'x-ratelimit-reset': String(now / 1000 + 4) }, now)).toBe(4000);
		expect(retryAfterMs(429, { 'x-ratelimit-reset': '3' }, now)).toBe(3000);
		expect(retryAfterMs(500, { 'x-ratelimit-reset': '3' }, now)).toBeUndefined();
	});

	it('ignores headers it cannot read', () => {
		expect(retryAfterMs(429, { 'retry-after': 'soon' }, now)).toBeUndefined();
		expect(retryAfterMs(429, {}, now)).toBeUndefined();
	});
});

describe('retryDelayMs', () => {
	it('follows the SDK schedule: 0.5 s doubling up to 8 s, with up to 25 % jitter off', () => {
		const none = () => 0;
		const most = () => 1;
		expect([0, 1, 2, 3, 4, 5].map((n) => retryDelayMs(n, undefined, none))).toEqual([
			500, 1000, 2000, 4000, 8000, 8000,
		]);
		expect(retryDelayMs(0, undefined, most)).toBe(375);
		expect(retryDelayMs(4, undefined, most)).toBe(6000);
	});

	it('honours a server wish up to a minute, and falls back to backoff beyond', () => {
		expect(retryDelayMs(0, 1234.2, () => 0)).toBe(1235);
		expect(retryDelayMs(0, 0, () => 0)).toBe(0);
		expect(retryDelayMs(1, 120_000, () => 0)).toBe(1000);
	});
});

describe('httpFailure', () => {
	it("reads Perplexity's error envelope", () => {
		const body = JSON.stringify({
			error: {
				message: 'invalid request body: json: unknown field "top_k"',
				type: 'invalid_request',
				code: 400,
				param: 'top_k',
			},
		});
		expect(httpFailure(400, { 'x-request-id': 'req-1' }, body)).toEqual({
			kind: 'http',
			status: 400,
			message: 'invalid request body: json: unknown field "top_k"',
			type: 'invalid_request',
			code: 400,
			param: 'top_k',
			requestId: 'req-1',
			retryable: false,
			retryAfterMs: undefined,
		});
	});

	it('reads FastAPI validation details', () => {
		const body = JSON.stringify({
			detail: [
				{
					loc: ['body', 'temperature'],
					msg: 'Input should be a valid number',
					type: 'float_parsing',
				},
			],
		});
		expect(httpFailure(422, {}, body)).toMatchObject({
			message: 'temperature: Input should be a valid number',
			type: 'validation_error',
			retryable: false,
		});
	});

	it('reads an HTML page by its title', () => {
		const html =
			'<html><head><title>401 Authorization Required</title></head><body><h1>401</h1></body></html>';
		expect(httpFailure(401, {}, html)).toMatchObject({
			message: '401 Authorization Required',
			type: 'html_error_page',
		});
	});

	it('keeps a rate limit retryable with its wait', () => {
		const failure = httpFailure(
			429,
			{ 'retry-after': '1' },
			'{"error":{"message":"Rate limit","type":"request_rate_limit_exceeded","code":429}}',
		);
		expect(failure).toMatchObject({
			retryable: true,
			retryAfterMs: 1000,
			type: 'request_rate_limit_exceeded',
		});
	});

	it('falls back to the status for an empty body', () => {
		expect(httpFailure(502, {}, '').message).toBe('HTTP 502');
	});
});

describe('runFailure', () => {
	it('turns a failed run into a failure with its message', () => {
		expect(
			runFailure({
				id: 'resp_1',
				status: 'failed',
				error: { message: 'Upstream broke', type: 'internal_error', code: 'E1' },
			}),
		).toEqual({
			kind: 'run',
			message: 'Upstream broke',
			type: 'internal_error',
			runStatus: 'failed',
			code: 'E1',
			responseId: 'resp_1',
			retryable: false,
		});
		expect(runFailure({ status: 'cancelled' })).toMatchObject({
			message: 'The run was cancelled',
			runStatus: 'cancelled',
		});
	});
});

describe('requestErrorFailure', () => {
	const url = 'https://api.perplexity.ai';
	const wrapped = (code: string, message: string) => ({
		message: 'wrapped',
		cause: Object.assign(new Error(message), { code }),
	});

	it('tells timeouts, cancellations and connection errors apart', () => {
		expect(
			requestErrorFailure(wrapped('ECONNABORTED', 'timeout of 50ms exceeded'), 50, false, url),
		).toMatchObject({ kind: 'timeout', retryable: true });
		expect(
			requestErrorFailure(wrapped('ECONNRESET', 'socket hang up'), 50, false, url),
		).toMatchObject({
			kind: 'network',
			retryable: true,
			message: 'Could not get an answer from https://api.perplexity.ai: socket hang up',
		});
		expect(requestErrorFailure(wrapped('ERR_CANCELED', 'canceled'), 50, false, url)).toMatchObject({
			kind: 'cancelled',
			retryable: false,
		});
		expect(requestErrorFailure(wrapped('ECONNRESET', 'x'), 50, true, url).kind).toBe('cancelled');
	});

	it.each([
		['ENOTFOUND', 'getaddrinfo ENOTFOUND bad.host', 'the host name does not resolve'],
		[
			'ECONNREFUSED',
			'connect ECONNREFUSED 10.0.0.1:443',
			'nothing accepts connections at that address and port',
		],
		['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:443', 'the connection attempt timed out'],
		[
			'EAI_AGAIN',
			'getaddrinfo EAI_AGAIN bad.host',
			'the host name could not be looked up just now',
		],
	])('says in plain words that %s never reached the server', (code, message, meaning) => {
		expect(requestErrorFailure(wrapped(code, message), 50, false, 'https://bad.host/')).toEqual({
			kind: 'network',
			retryable: true,
			code,
			message: `Could not reach https://bad.host (${code}: ${meaning}): check the Base URL in the Perplexity Chat API credential`,
		});
	});

	it("reads the code n8n's request helper puts in httpCode, and keeps the message plain", () => {
		// What n8n-core's httpRequestWithAuthentication throws for a refused connection.
		const thrown = {
			message: 'The service refused the connection - perhaps it is offline',
			httpCode: 'ECONNREFUSED',
			messages: ['connect ECONNREFUSED 127.0.0.1:9'],
		};
		const failure = requestErrorFailure(thrown, 50, false, 'http://127.0.0.1:9');
		expect(failure).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
		const node = { name: 'Perplexity Chat', type: 'perplexityChat' } as INode;
		expect(failureToNodeApiError(node, failure, 1, 3, []).message).toBe(
			'Could not reach http://127.0.0.1:9 (ECONNREFUSED: nothing accepts connections at that address and port): check the Base URL in the Perplexity Chat API credential [item 3]',
		);
		// An HTTP status in httpCode is not a connection code.
		expect(requestErrorFailure({ message: 'x', httpCode: '502' }, 50, false, 'http://h').code).toBe(
			undefined,
		);
	});

	it('never shows what a URL can carry besides the address', () => {
		expect(displayUrl('https://user:pplx-secret123456@gw.example.com/v1/?key=abc#x')).toBe(
			'https://gw.example.com/v1',
		);
		expect(displayUrl('not a url')).toBe('not a url');
		const failure = requestErrorFailure(
			wrapped('ENOTFOUND', 'getaddrinfo ENOTFOUND gw.example.com'),
			50,
			false,
			'https://me:pplx-secret123456@gw.example.com',
		);
		expect(failure.message).not.toContain('secret');
		expect(failure.message).toContain('https://gw.example.com (ENOTFOUND');
	});
});

describe('an API error naming a field the node added', () => {
	const node = { name: 'Perplexity Chat', type: 'perplexityChat' } as INode;
	const envelope = (field: string) =>
		JSON.stringify({
			error: {
				message: `invalid request body: json: unknown field "${field}"`,
				type: 'invalid_request',
				code: 400,
				param: field,
			},
		});

	it('names the option to change, and keeps the API’s words in the description', () => {
		const failure: ApiFailure = {
			...httpFailure(400, { 'x-request-id': 'req-9' }, envelope('tool_choice')),
			refused: {
				endpoint: 'the Agent API',
				path: 'tool_choice',
				option: 'Search → Force Web Search',
				docsOnly: true,
			},
		};
		const error = failureToNodeApiError(node, failure, 1, 0, ['pplx-key']);
		expect(error.message).toBe(
			'The Agent API refused tool_choice, which Search → Force Web Search sends: turn that option off or remove it [item 0]',
		);
		expect(error.description).toBe(
			'Perplexity API error 400 (invalid_request): invalid request body: json: unknown field "tool_choice". ' +
				"Perplexity's docs name this field, but its official SDK does not send it, so this endpoint may not take it. " +
				'Request ID: req-9',
		);
		expect(error.errorResponse as JsonObject).toMatchObject({
			param: 'tool_choice',
			refusedField: 'tool_choice',
			option: 'Search → Force Web Search',
		});
	});

	it('asks to check a proven option, pointing at the endpoint', () => {
		const failure: ApiFailure = {
			...httpFailure(400, {}, envelope('search_domain_filter')),
			refused: {
				endpoint: 'the Agent API',
				path: 'tools[].filters.search_domain_filter',
				option: 'Search → Domain Filter',
				docsOnly: false,
			},
		};
		const error = failureToNodeApiError(node, failure, 1, 2, []);
		expect(error.message).toBe(
			'The Agent API refused tools[].filters.search_domain_filter, which Search → Domain Filter sends: check that option [item 2]',
		);
		expect(error.description).toMatch(/Sonar Chat Completions\.$/);
	});

	it('gives the plain API message when the field is not one the node added', () => {
		const failure = httpFailure(400, {}, envelope('foo'));
		expect(failureToNodeApiError(node, failure, 1, 0, []).message).toBe(
			'Perplexity API error 400 (invalid_request): invalid request body: json: unknown field "foo" [item 0]',
		);
	});
});

describe('redact', () => {
	it('removes the key, Perplexity-shaped keys and bearer tokens', () => {
		expect(
			redact('bad key secret-123 for Bearer secret-123 and pplx-abcdef123456', ['secret-123']),
		).toBe('bad key [redacted] for Bearer [redacted] and pplx-[redacted]');
	});
});
