import type { RefusedField } from '../helpers/wireFields';

/**
 * Why a request did not give a usable answer, as plain data: the transport decides on retries
 * from it, and the node turns the last one into a NodeApiError.
 */
export type FailureKind =
	| 'http' // the server answered with an error status
	| 'network' // no answer: refused, reset, DNS, …
	| 'timeout' // no answer within the timeout
	| 'malformed' // a 2xx answer whose body is not the JSON it should be
	| 'stream' // a stream that ended or broke before its final event
	| 'run' // HTTP 200, but the Agent run failed or was cancelled
	| 'cancelled' // the n8n execution was stopped
	| 'unfinished'; // a background run still going after the maximum wait

export interface ApiFailure {
	kind: FailureKind;
	message: string;
	retryable: boolean;
	status?: number;
	type?: string;
	code?: string | number;
	param?: string;
	requestId?: string;
	/** The server's own wish (Retry-After and friends), already in milliseconds. */
	retryAfterMs?: number;
	/** For unfinished background runs: the id to fetch later with Get Response. */
	responseId?: string;
	/** For runs: the status the run ended with (failed or cancelled). */
	runStatus?: string;
	/** A 429 that outlasted Max Wait for Rate Limit: that limit, in milliseconds. */
	rateLimitWaitMs?: number;
	/**
	 * The API refused a field the node added on its own: which one, the option behind it, and the
	 * endpoint as the error names it ("the Agent API").
	 */
	refused?: RefusedField & { endpoint: string };
}

/** 408, 409, 429 and 5xx are worth another try; other statuses will not change by retrying. */
export function isRetryableStatus(status: number): boolean {
	return status === 408 || status === 409 || status === 429 || status >= 500;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/**
 * The official SDKs' rule: the server's `x-should-retry: true` or `false` decides over the status,
 * e.g. a 400 the server knows to be passing, or a 503 it knows will not pass.
 */
export function shouldRetry(status: number, headers: Headers): boolean {
	const wish = header(headers, 'x-should-retry');
	if (wish === 'true') return true;
	if (wish === 'false') return false;
	return isRetryableStatus(status);
}

/**
 * How long the server asks us to wait: retry-after-ms, then Retry-After (seconds or an HTTP
 * date), then, for 429s, x-ratelimit-reset (unix seconds, or seconds from now when small).
 */
export function retryAfterMs(
	status: number,
	headers: Headers,
	now = Date.now(),
): number | undefined {
	const ms = Number(header(headers, 'retry-after-ms'));
	if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms))
		return Math.max(0, ms);

	const retryAfter = header(headers, 'retry-after');
	if (retryAfter !== undefined) {
		const seconds = Number(retryAfter);
		if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
		const date = Date.parse(retryAfter);
		if (Number.isFinite(date)) return Math.max(0, date - now);
	}

	const reset = Number(header(headers, 'x-ratelimit-reset'));
	if (
		status === 429 &&
		header(headers, 'x-ratelimit-reset') !== undefined &&
		Number.isFinite(reset)
	) {
		return Math.max(0, reset > 1e9 ? reset * 1000 - now : reset * 1000);
	}
	return undefined;
}

/** Server hints beyond this are ignored in favour of our own backoff, as the official SDK does. */
export const MAX_HONOURED_RETRY_AFTER_MS = 60_000;

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

/**
 * The official SDK's schedule: 0.5 s doubling up to 8 s, minus up to 25 % jitter so that items
 * that failed together do not come back together, unless the server said how long to wait.
 */
export function retryDelayMs(
	retryNumber: number,
	serverWishMs?: number,
	random = Math.random,
): number {
	if (
		serverWishMs !== undefined &&
		serverWishMs >= 0 &&
		serverWishMs <= MAX_HONOURED_RETRY_AFTER_MS
	) {
		return Math.ceil(serverWishMs);
	}
	const base = Math.min(INITIAL_DELAY_MS * 2 ** retryNumber, MAX_DELAY_MS);
	return Math.round(base * (1 - random() * 0.25));
}

interface ErrorEnvelope {
	error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } | string;
	detail?: unknown;
	message?: unknown;
}

function fastApiDetail(detail: unknown): string | undefined {
	if (typeof detail === 'string') return detail;
	if (!Array.isArray(detail)) return undefined;
	return detail
		.map((entry: { loc?: unknown[]; msg?: unknown }) => {
			const where = Array.isArray(entry?.loc)
				? entry.loc.filter((part) => part !== 'body').join('.')
				: '';
			return where ? `${where}: ${String(entry?.msg ?? '')}` : String(entry?.msg ?? '');
		})
		.join('; ');
}

function textOfHtml(body: string): string {
	const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1];
	const text = (title ?? body.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
	return text.slice(0, 200);
}

/** An error status with whatever body came with it: JSON envelope, FastAPI detail, HTML or text. */
export function httpFailure(
	status: number,
	headers: Headers,
	body: string,
	now = Date.now(),
): ApiFailure {
	const failure: ApiFailure = {
		kind: 'http',
		status,
		message: '',
		retryable: shouldRetry(status, headers),
		requestId: header(headers, 'x-request-id'),
		retryAfterMs: retryAfterMs(status, headers, now),
	};
	let parsed: ErrorEnvelope | undefined;
	try {
		parsed = JSON.parse(body) as ErrorEnvelope;
	} catch {
		parsed = undefined;
	}
	if (parsed && typeof parsed === 'object') {
		const { error } = parsed;
		if (error && typeof error === 'object') {
			failure.message = typeof error.message === 'string' ? error.message : '';
			if (typeof error.type === 'string') failure.type = error.type;
			if (typeof error.code === 'string' || typeof error.code === 'number')
				failure.code = error.code;
			if (typeof error.param === 'string') failure.param = error.param;
		} else if (typeof error === 'string') {
			failure.message = error;
		} else if (parsed.detail !== undefined) {
			failure.message = fastApiDetail(parsed.detail) ?? '';
			failure.type = 'validation_error';
		} else if (typeof parsed.message === 'string') {
			failure.message = parsed.message;
		}
	} else if (/^\s*</.test(body)) {
		failure.message = textOfHtml(body);
		failure.type = 'html_error_page';
	} else {
		failure.message = body.trim().slice(0, 200);
	}
	if (failure.message === '') failure.message = `HTTP ${status}`;
	return failure;
}

/** A 200 whose Agent run ended as failed or cancelled. */
export function runFailure(response: {
	status?: unknown;
	id?: unknown;
	error?: unknown;
}): ApiFailure {
	const error = (response.error ?? {}) as { message?: unknown; type?: unknown; code?: unknown };
	const cancelled = response.status === 'cancelled';
	return {
		kind: 'run',
		message:
			typeof error.message === 'string' && error.message !== ''
				? error.message
				: cancelled
					? 'The run was cancelled'
					: 'The run failed without a message',
		type: typeof error.type === 'string' ? error.type : undefined,
		runStatus: cancelled ? 'cancelled' : 'failed',
		code: typeof error.code === 'string' || typeof error.code === 'number' ? error.code : undefined,
		responseId: typeof response.id === 'string' ? response.id : undefined,
		retryable: false,
	};
}

export function cancelledFailure(code?: string): ApiFailure {
	return { kind: 'cancelled', message: 'The execution was canceled', retryable: false, code };
}

/** The address a user typed as Base URL, without anything secret a URL can carry. */
export function displayUrl(url: string): string {
	try {
		const parsed = new URL(url);
		parsed.username = '';
		parsed.password = '';
		parsed.search = '';
		parsed.hash = '';
		return parsed.href.replace(/\/+$/, '');
	} catch {
		return url;
	}
}

/** Connection errors that mean the server was never reached, in the user's terms. */
const UNREACHABLE: Readonly<Record<string, string>> = {
	ENOTFOUND: 'the host name does not resolve',
	EAI_AGAIN: 'the host name could not be looked up just now',
	ECONNREFUSED: 'nothing accepts connections at that address and port',
	EHOSTUNREACH: 'the host cannot be reached from this machine',
	ENETUNREACH: 'the network cannot be reached from this machine',
	ETIMEDOUT: 'the connection attempt timed out',
	CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
	DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
	SELF_SIGNED_CERT_IN_CHAIN: "the server's TLS certificate chain is self-signed",
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate cannot be verified",
	ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host name",
};

/** Our own timeout, as axios and n8n report it; an ETIMEDOUT of the connect itself is not it. */
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ESOCKETTIMEDOUT']);
const CANCEL_CODES = new Set(['ERR_CANCELED', 'ABORT_ERR']);

/**
 * What a thrown request error means, found by walking its cause chain. `url` is the Base URL the
 * request went to, named in the message of a server that could not be reached.
 */
export function requestErrorFailure(
	error: unknown,
	timeoutMs: number,
	aborted: boolean,
	url: string,
): ApiFailure {
	let code: string | undefined;
	let message = '';
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const candidate = current as {
			code?: unknown;
			httpCode?: unknown;
			message?: unknown;
			cause?: unknown;
		};
		// n8n's request helper wraps connection errors in a NodeApiError whose httpCode is the code.
		const own = [candidate.code, candidate.httpCode].find(
			(value): value is string => typeof value === 'string' && /^[A-Z][A-Z_]+$/.test(value),
		);
		if (code === undefined && own !== undefined) code = own;
		if (typeof candidate.message === 'string' && candidate.message !== '')
			message = candidate.message;
		current = candidate.cause;
	}
	if (aborted || (code !== undefined && CANCEL_CODES.has(code))) return cancelledFailure(code);
	if ((code !== undefined && TIMEOUT_CODES.has(code)) || /timeout/i.test(message)) {
		return {
			kind: 'timeout',
			message: `No answer within the timeout of ${Math.round(timeoutMs / 1000)} s`,
			retryable: true,
			code,
		};
	}
	const where = displayUrl(url);
	const unreachable = code === undefined ? undefined : UNREACHABLE[code];
	return {
		kind: 'network',
		message: unreachable
			? `Could not reach ${where} (${code}: ${unreachable}): check the Base URL in the Perplexity Chat API credential`
			: `Could not get an answer from ${where}: ${message || code || 'connection error'}`,
		retryable: true,
		code,
	};
}
