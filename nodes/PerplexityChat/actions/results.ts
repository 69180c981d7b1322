import type { IDataObject, INode } from 'n8n-workflow';

import { RESPONSES_PATH } from '../helpers/constants';
import type { ApiKind, ExecutionSettings, OutputSettings } from '../helpers/interfaces';
import {
	backgroundRunOutput,
	completionOutput,
	finishCompletion,
	mapAgentResponse,
	normalizeSonarResponse,
	TERMINAL_AGENT_STATUSES,
} from '../helpers/responses';
import { sleepUnlessCancelled } from '../helpers/scheduling';
import { type CallResult, callOptionsOf, type PerplexityClient } from '../transport/client';
import { cancelledFailure, runFailure } from '../transport/failures';
import { failureToNodeApiError } from '../transport/nodeErrors';
import type { ItemError } from './runItems';

const isTerminal = (body: IDataObject) => TERMINAL_AGENT_STATUSES.includes(String(body.status));

/**
 * Polls a background run (GET /v1/responses/{id}) until it reaches a terminal status, the maximum
 * wait runs out or the execution is stopped; each poll has the same retry rules as any request.
 */
export async function waitForRun(
	client: PerplexityClient,
	submitted: IDataObject,
	execution: ExecutionSettings,
): Promise<CallResult> {
	const deadline = Date.now() + execution.maxWaitMs;
	let current: CallResult = { ok: true, body: submitted, attempts: 1 };
	while (current.ok && !isTerminal(current.body)) {
		const remaining = deadline - Date.now();
		if (remaining <= 0) {
			const id = String(current.body.id);
			return {
				ok: false,
				attempts: current.attempts,
				failure: {
					kind: 'unfinished',
					message: `The background run ${id} was still ${String(current.body.status)} after ${Math.round(execution.maxWaitMs / 1000)} s`,
					responseId: id,
					retryable: false,
				},
			};
		}
		const signal = client.cancelSignal;
		await sleepUnlessCancelled(Math.min(execution.pollIntervalMs, remaining), signal);
		if (signal?.aborted) return { ok: false, failure: cancelledFailure(), attempts: 1 };
		current = await client.call(
			{ method: 'GET', path: `${RESPONSES_PATH}/${encodeURIComponent(String(current.body.id))}` },
			callOptionsOf(execution),
		);
	}
	return current;
}

/** One item's output from one API answer, or the error that item reports. */
export function itemOutput(
	node: INode,
	api: ApiKind,
	result: CallResult,
	output: OutputSettings,
	itemIndex: number,
	secrets: readonly string[],
): IDataObject | ItemError {
	if (!result.ok)
		return failureToNodeApiError(node, result.failure, result.attempts, itemIndex, secrets);
	const { body } = result;
	if (api === 'agent') {
		if (body.status === 'failed' || body.status === 'cancelled') {
			return failureToNodeApiError(node, runFailure(body), result.attempts, itemIndex, secrets);
		}
		if (!isTerminal(body)) {
			const pending = backgroundRunOutput(body);
			if (output.includeRawResponse) pending.raw_response = body;
			return pending;
		}
	}
	const completion = api === 'agent' ? mapAgentResponse(body) : normalizeSonarResponse(body);
	const unparsable = finishCompletion(completion, output.expectJson);
	if (unparsable !== undefined) {
		const message = `The answer is not valid JSON, although structured output was requested. It began: ${unparsable.slice(0, 120)}`;
		const failure = { kind: 'malformed' as const, message, retryable: false };
		return failureToNodeApiError(node, failure, result.attempts, itemIndex, secrets);
	}
	return completionOutput(completion, body, output);
}
