import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { CHAT_ENDPOINTS } from '../helpers/wireFields';
import type { ApiFailure } from './failures';

/** Takes every occurrence of the given secrets (and anything shaped like a Perplexity key) out. */
export function redact(text: string, secrets: readonly string[]): string {
	let clean = text;
	for (const secret of secrets) {
		if (secret.length >= 4) clean = clean.split(secret).join('[redacted]');
	}
	return clean
		.replace(/pplx-[A-Za-z0-9]{8,}/g, 'pplx-[redacted]')
		.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
}

function hint(failure: ApiFailure): string | undefined {
	const { status, type = '', param } = failure;
	if (failure.kind === 'timeout') {
		return 'Raise Timeout under Request Options, or use Background Mode for long research.';
	}
	if (failure.kind === 'network')
		return 'Check the Base URL of the credential and that this machine can reach that server.';
	if (failure.kind === 'stream') return 'The answer was not complete, so it was not passed on.';
	if (failure.kind === 'malformed') return 'The server or a proxy in between sent a broken answer.';
	if (failure.kind === 'unfinished') {
		return `The run goes on at Perplexity: fetch it later with the Get Response operation and ID ${failure.responseId}.`;
	}
	if (status === 401 || type === 'invalid_api_key') {
		return 'Check the API key in the Perplexity Chat API credential (Perplexity: Settings → API).';
	}
	if (status === 403) return 'This API key may not use this API or model.';
	if (status === 429) {
		return "Requests already slow down on their own when Perplexity answers 429. Your usage tier sets the limit (Perplexity: Settings → API): a higher tier, or a larger Max Wait for Rate Limit under Request Options, lets more items through; Max Requests per Minute caps the pace if you know your tier's limit.";
	}
	if (param === 'previous_response_id') {
		return 'Continue From Response ID takes the ID of a completed Agent API answer of the same Perplexity account, e.g. {{ $json.id }} of the Perplexity Chat node before.';
	}
	if (param === 'image_url') {
		return 'Check Options → Image: a PNG, JPEG, WEBP or GIF image, from the binary data of the item or a public HTTPS address.';
	}
	if (type === 'invalid_model' || /model/i.test(param ?? '')) {
		return 'Check the Model: pick one from the list or check the ID (presets such as fast work on the Agent API only).';
	}
	if (failure.refused?.docsOnly) {
		return "Perplexity's docs name this field, but its official SDK does not send it, so this endpoint may not take it.";
	}
	if (/unknown field/i.test(failure.message)) {
		const gateway =
			failure.refused === undefined || failure.refused.endpoint === CHAT_ENDPOINTS.agent.name
				? ' A gateway that does not speak the Agent API may work with API set to Sonar Chat Completions.'
				: '';
		return `The endpoint refused a field this node sent.${gateway}`;
	}
	if (status === 413) return 'The messages are too large (Perplexity accepts up to 32 MiB).';
	if (status !== undefined && status >= 500)
		return 'Perplexity could not answer just now; try again later.';
	return undefined;
}

/** An API error that names a field the node added: the option to change comes first. */
function refusedHeadline({ endpoint, path, option, docsOnly }: NonNullable<ApiFailure['refused']>) {
	const action = docsOnly ? 'turn that option off or remove it' : 'check that option';
	return `${endpoint[0].toUpperCase()}${endpoint.slice(1)} refused ${path}, which ${option} sends: ${action}`;
}

function apiErrorText(failure: ApiFailure): string {
	const type = failure.type ? ` (${failure.type})` : '';
	return `Perplexity API error ${failure.status}${type}: ${failure.message}`;
}

/** "10 min", "90 s": Max Wait for Rate Limit as the user set it. */
function duration(ms: number): string {
	const seconds = Math.round(ms / 1000);
	return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

function headline(failure: ApiFailure): string {
	if (failure.refused) return refusedHeadline(failure.refused);
	if (failure.rateLimitWaitMs !== undefined) {
		return `Perplexity's rate limit did not clear within Max Wait for Rate Limit (${duration(failure.rateLimitWaitMs)}): ${apiErrorText(failure)}`;
	}
	if (failure.kind === 'http') return apiErrorText(failure);
	if (failure.kind === 'run') {
		const ended = failure.runStatus === 'cancelled' ? 'was cancelled' : 'failed';
		const type = failure.type && failure.type !== failure.runStatus ? ` (${failure.type})` : '';
		return `The Agent run ${ended}${type}: ${failure.message}`;
	}
	return failure.message;
}

/**
 * The error a failed item reports: Perplexity's own message, type and status, how many attempts
 * were made, and a hint. Built from plain data so that no request (and no Authorization header)
 * rides along inside it.
 */
export function failureToNodeApiError(
	node: INode,
	failure: ApiFailure,
	attempts: number,
	itemIndex: number | undefined,
	secrets: readonly string[],
): NodeApiError {
	const tried =
		attempts > 1
			? ` [${attempts} attempts${failure.status ? `, last status ${failure.status}` : ''}]`
			: '';
	const item = itemIndex === undefined ? '' : ` [item ${itemIndex}]`;
	const message = redact(headline(failure) + tried + item, secrets);
	const details = [
		// The headline names the option; the API's own words follow here.
		failure.refused ? `${apiErrorText(failure)}.` : undefined,
		hint(failure),
		failure.requestId ? `Request ID: ${failure.requestId}` : undefined,
	]
		.filter(Boolean)
		.join(' ');
	const response: JsonObject = {
		message: redact(failure.message, secrets),
		kind: failure.kind,
		attempts,
	};
	for (const key of ['status', 'type', 'code', 'param', 'requestId', 'responseId'] as const) {
		if (failure[key] !== undefined) response[key] = failure[key] as string | number;
	}

	if (failure.refused) {
		response.refusedField = failure.refused.path;
		response.option = failure.refused.option;
	}
	const error = new NodeApiError(node, response, {
		message,
		description: details ? redact(details, secrets) : undefined,
		httpCode: failure.status !== undefined ? String(failure.status) : undefined,
		itemIndex,
	});
	// NodeApiError swaps a message that names a code like ECONNREFUSED for a generic one of its
	// own ("The service refused the connection"); ours already says it in the user's terms.
	error.message = message;
	return error;
}
