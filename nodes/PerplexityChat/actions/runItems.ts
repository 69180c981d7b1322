import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { InputError } from '../helpers/inputError';
import type { ExecutionSettings } from '../helpers/interfaces';
import { runPool, sleepUnlessCancelled } from '../helpers/scheduling';
import { resolveExecutionSettings } from '../helpers/settings';

export type ItemError = NodeApiError | NodeOperationError;

/** Bad input as n8n reports it: the field, the rule, and the item it came from. */
export function inputErrorFor(
	context: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): ItemError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof InputError) {
		return new NodeOperationError(context.getNode(), `${error.message} [item ${itemIndex}]`, {
			itemIndex,
			description: error.hint,
		});
	}
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex });
}

/**
 * Request Options apply to the whole run, so they are read from the first item; bad values are
 * reported as that item's input error before anything is sent.
 */
export function readExecutionSettings(context: IExecuteFunctions): {
	execution: ExecutionSettings;
	requestOptions: IDataObject;
} {
	const requestOptions = context.getNodeParameter('requestOptions', 0, {}) as IDataObject;
	try {
		return { execution: resolveExecutionSettings(requestOptions), requestOptions };
	} catch (error) {
		throw inputErrorFor(context, error, 0);
	}
}

function errorJson(error: ItemError, itemIndex: number): IDataObject {
	const json: IDataObject = { error: error.message, item: itemIndex };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	return json;
}

/**
 * What one input item gives: one output, several (e.g. one per search result; none is an answer
 * too), or an error.
 */
export type ItemOutcome = IDataObject | IDataObject[] | ItemError;

/**
 * The item loop of every operation. Every item is prepared (read and checked, which may take a
 * read of its binary data) before the first request goes out, so bad input costs nothing; then
 * requests run `concurrency` at a time.
 * Each input item gives exactly one output item, or the list of output items its `run` returns,
 * in input order and each paired to its input, or one error: with Continue On Fail as an error
 * item in its place, otherwise the node fails with the error of the first failing item and starts
 * no further requests.
 */
export async function runItems<Prepared>(
	context: IExecuteFunctions,
	execution: ExecutionSettings,
	prepare: (itemIndex: number) => Prepared | Promise<Prepared>,
	run: (prepared: Prepared, itemIndex: number) => Promise<ItemOutcome>,
): Promise<INodeExecutionData[][]> {
	const count = context.getInputData().length;
	const continueOnFail = context.continueOnFail();

	type Entry = { value: Prepared } | { error: ItemError };
	const prepared: Array<Entry | undefined> = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			prepared.push({ value: await prepare(itemIndex) });
		} catch (error) {
			prepared.push({ error: inputErrorFor(context, error, itemIndex) });
		}
	}
	const firstBad = prepared.find((entry) => entry && 'error' in entry);
	if (firstBad && 'error' in firstBad && !continueOnFail) throw firstBad.error;

	let failed = false;
	const cancelSignal = context.getExecutionCancelSignal?.();
	const outcomes = await runPool(
		count,
		async (itemIndex): Promise<ItemOutcome> => {
			const entry = prepared[itemIndex] as Entry;
			// A request body is not needed once sent: with thousands of items this is memory.
			prepared[itemIndex] = undefined;
			let outcome: ItemOutcome;
			if ('error' in entry) {
				outcome = entry.error;
			} else {
				try {
					outcome = await run(entry.value, itemIndex);
				} catch (error) {
					outcome = inputErrorFor(context, error, itemIndex);
				}
			}
			if (outcome instanceof Error) failed = true;
			return outcome;
		},
		{
			concurrency: execution.concurrency,
			batchIntervalMs: execution.batchIntervalMs,
			sleep: async (ms) => await sleepUnlessCancelled(ms, cancelSignal),
			shouldStop: () => (failed && !continueOnFail) || cancelSignal?.aborted === true,
		},
	);

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const outcome = outcomes[itemIndex];
		if (outcome === undefined) continue;
		if (outcome instanceof Error) {
			if (!continueOnFail) throw outcome;
			output.push({ json: errorJson(outcome, itemIndex), pairedItem: { item: itemIndex } });
		} else {
			for (const json of Array.isArray(outcome) ? outcome : [outcome]) {
				output.push({ json, pairedItem: { item: itemIndex } });
			}
		}
	}
	return [output];
}
