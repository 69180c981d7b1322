import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { isPlainObject } from './validation';

/** Sums of money below this are float noise: a nano-dollar is far below any price Perplexity has. */
const PRECISION = 1e9;

const round = (value: number) =>
	Number.isInteger(value) ? value : Math.round(value * PRECISION) / PRECISION;

/**
 * Adds `usage` into `total`: numbers are summed at every depth, by name, so whatever the API
 * reports (tokens, costs, search invocations) adds up without a list of known fields. The only
 * text kept is the currency, and only while every usage agrees on it.
 */
function addUsage(total: IDataObject, usage: IDataObject): void {
	for (const [key, value] of Object.entries(usage)) {
		if (typeof value === 'number' && Number.isFinite(value)) {
			const sum = typeof total[key] === 'number' ? (total[key] as number) : 0;
			total[key] = round(sum + value);
		} else if (isPlainObject(value)) {
			const nested = isPlainObject(total[key]) ? (total[key] as IDataObject) : {};
			addUsage(nested, value);
			total[key] = nested;
		} else if (key === 'currency' && typeof value === 'string') {
			total[key] = total[key] === undefined || total[key] === value ? value : null;
		}
	}
}

/**
 * The summed usage of a run, for the option Add Run Totals: `items` is every output item, `failed`
 * the error items among them (Continue On Fail). `usages` are what Perplexity reported: by default
 * each item's `usage`; an operation whose requests carry many items (embeddings) passes the usage
 * of each request instead. Error items and items without usage (a background run only submitted)
 * add no tokens and no cost, because none are reported for them.
 */
export function runTotals(
	items: readonly INodeExecutionData[],
	usages: readonly unknown[] = items.map(({ json }) => json.usage),
): IDataObject {
	const usage: IDataObject = {};
	let failed = 0;
	for (const { json } of items) {
		if (typeof json.error === 'string' && json.usage === undefined) failed++;
	}
	for (const reported of usages) if (isPlainObject(reported)) addUsage(usage, reported);
	if (isPlainObject(usage.cost) && usage.cost.currency === null) delete usage.cost.currency;
	return { items: items.length, failed, ...usage };
}

/** The items with `run_totals` added to the last one; the others are returned as they were. */
export function addRunTotals(
	items: INodeExecutionData[],
	usages?: readonly unknown[],
): INodeExecutionData[] {
	if (items.length === 0) return items;
	const last = items[items.length - 1];
	const totals = runTotals(items, usages);
	return [...items.slice(0, -1), { ...last, json: { ...last.json, run_totals: totals } }];
}
