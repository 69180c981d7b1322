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

/** One request that serves several items at once (e.g. the texts of many items, embedded). */
export interface Batch {
	/** The input items whose output depends on this request, each listed once. */
	items: readonly number[];
	/**
	 * Sends the request, keeping what it got for `finish`. On failure it returns the error each of
	 * its items reports: a failed request fails exactly the items in it.
	 */
	send(): Promise<((itemIndex: number) => ItemError) | undefined>;
}

/**
 * The item loop of every operation, for requests that each serve several items. Every item is
 * prepared (read and checked, which may take a read of its binary data) before the first request
 * goes out, so bad input costs nothing;
 * `plan` then groups the good items into requests, which run `concurrency` at a time. An item
 * whose requests all succeeded gives what `finish` makes of it: one output item, or the list of
 * output items it returns, in input order and each paired to its input. An item whose request
 * failed, or whose input was bad, gives one error: with Continue On Fail as an error item in its
 * place, otherwise the node fails with the error of the first failing item and starts no further
 * requests.
 */
export async function runBatches<Prepared>(
	context: IExecuteFunctions,
	execution: ExecutionSettings,
	prepare: (itemIndex: number) => Prepared | Promise<Prepared>,
	plan: (ready: Array<{ itemIndex: number; value: Prepared }>) => Batch[],
	finish: (itemIndex: number) => ItemOutcome,
): Promise<INodeExecutionData[][]> {
	const count = context.getInputData().length;
	const continueOnFail = context.continueOnFail();

	const errors = new Array<ItemError | undefined>(count);
	const ready: Array<{ itemIndex: number; value: Prepared }> = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			ready.push({ itemIndex, value: await prepare(itemIndex) });
		} catch (error) {
			errors[itemIndex] = inputErrorFor(context, error, itemIndex);
			if (!continueOnFail) throw errors[itemIndex];
		}
	}

	const batches: Array<Batch | undefined> = plan(ready);
	// The batches hold what they send; with thousands of items the rest is memory.
	ready.length = 0;
	const pending = new Array<number>(count).fill(0);
	for (const batch of batches) for (const itemIndex of batch?.items ?? []) pending[itemIndex]++;

	let failed = false;
	const cancelSignal = context.getExecutionCancelSignal?.();
	await runPool(
		batches.length,
		async (batchIndex) => {
			const batch = batches[batchIndex] as Batch;
			// A request body is not needed once sent.
			batches[batchIndex] = undefined;
			let failure: ((itemIndex: number) => ItemError) | undefined;
			try {
				failure = await batch.send();
			} catch (error) {
				failure = (itemIndex) => inputErrorFor(context, error, itemIndex);
			}
			for (const itemIndex of batch.items) {
				pending[itemIndex]--;
				if (failure && !errors[itemIndex]) errors[itemIndex] = failure(itemIndex);
			}
			if (failure) failed = true;
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
		let outcome: ItemOutcome | undefined = errors[itemIndex];
		// Not started because the node stopped (a failure, or a cancel): no output.
		if (outcome === undefined && pending[itemIndex] > 0) continue;
		if (outcome === undefined) {
			try {
				outcome = finish(itemIndex);
			} catch (error) {
				outcome = inputErrorFor(context, error, itemIndex);
			}
		}
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

/** The item loop for operations that send one request (or one chain of them) per item. */
export async function runItems<Prepared>(
	context: IExecuteFunctions,
	execution: ExecutionSettings,
	prepare: (itemIndex: number) => Prepared | Promise<Prepared>,
	run: (prepared: Prepared, itemIndex: number) => Promise<ItemOutcome>,
): Promise<INodeExecutionData[][]> {
	const results = new Map<number, ItemOutcome>();
	return await runBatches(
		context,
		execution,
		prepare,
		(ready) =>
			ready.map(({ itemIndex, value }) => ({
				items: [itemIndex],
				async send() {
					const outcome = await run(value, itemIndex);
					if (outcome instanceof Error) return () => outcome;
					results.set(itemIndex, outcome);
					return undefined;
				},
			})),
		(itemIndex) => {
			const outcome = results.get(itemIndex) as ItemOutcome;
			results.delete(itemIndex);
			return outcome;
		},
	);
}
