import {
	httpFailure,
	isRetryableStatus,
	requestErrorFailure,
	retryAfterMs,
	retryDelayMs,
	runFailure,
} from '../../nodes/PerplexityChat/transport/failures';
import { redact } from '../../nodes/PerplexityChat/transport/nodeErrors';

describe('which statuses are retried', () => {
	it.each([408, 409, 429, 500, 502, 503, 504])('%i is retried', (status) => {
		expect(isRetryableStatus(status)).toBe(true);
	});
	it.each([400, 401, 403, 404, 413, 422, 424])('%i is not', (status) => {
		expect(isRetryableStatus(status)).toBe(false);
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
	const wrapped = (code: string, message: string) => ({
		message: 'wrapped',
		cause: Object.assign(new Error(message), { code }),
	});

	it('tells timeouts, cancellations and connection errors apart', () => {
		expect(
			requestErrorFailure(wrapped('ECONNABORTED', 'timeout of 50ms exceeded'), 50, false),
		).toMatchObject({ kind: 'timeout', retryable: true });
		expect(requestErrorFailure(wrapped('ECONNRESET', 'socket hang up'), 50, false)).toMatchObject({
			kind: 'network',
			retryable: true,
			message: 'Could not get an answer: socket hang up',
		});
		expect(requestErrorFailure(wrapped('ERR_CANCELED', 'canceled'), 50, false)).toMatchObject({
			kind: 'cancelled',
			retryable: false,
		});
		expect(requestErrorFailure(wrapped('ECONNRESET', 'x'), 50, true).kind).toBe('cancelled');
	});
});

describe('redact', () => {
	it('removes the key, Perplexity-shaped keys and bearer tokens', () => {
		expect(
			redact('bad key secret-123 for Bearer secret-123 and pplx-abcdef123456', ['secret-123']),
		).toBe('bad key [redacted] for Bearer [redacted] and pplx-[redacted]');
	});
});
