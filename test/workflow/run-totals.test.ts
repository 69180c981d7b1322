/**
 * Options → Add Run Totals through n8n-core's engine: the last output item carries the summed
 * tokens and cost of the run, for Create Chat Completion and Get Response.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode } from '../helpers/harness';
import { API_KEY, chat, completions, itemsOf, useSandbox } from './support';

const env = useSandbox();

const credentials = () => ({ apiKey: API_KEY, baseUrl: env.sandbox.url });

async function run(
	parameters: INodeParameters,
	{ items, continueOnFail }: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {},
) {
	return await runNode({
		parameters,
		node: { typeVersion: 3 },
		items,
		continueOnFail,
		credentials: credentials(),
	});
}

const question = '={{ "Question " + $itemIndex + ": what is item " + $itemIndex + "?" }}';

/** What the items report, added up here by hand: the figures the node must arrive at. */
function summed(items: INodeExecutionData[], pick: (usage: IDataObject) => number) {
	return items.reduce(
		(sum, { json }) => sum + (json.usage ? pick(json.usage as IDataObject) : 0),
		0,
	);
}

const cost = (usage: IDataObject) => Number((usage.cost as IDataObject).total_cost);
const tokens = (usage: IDataObject) => Number(usage.total_tokens);

describe('Add Run Totals on Create Chat Completion', () => {
	it('puts the sums of all items on the last one, and only there', async () => {
		const result = await run(
			{ resource: 'chat', ...chat({ prompt: question, options: { addRunTotals: true } }) },
			{ items: itemsOf(3) },
		);
		expect(result.error).toBeUndefined();
		const { items } = result;
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json).not.toHaveProperty('run_totals');
		expect(items[1].json).not.toHaveProperty('run_totals');
		const totals = items[2].json.run_totals as IDataObject;
		expect(totals).toMatchObject({
			items: 3,
			failed: 0,
			prompt_tokens: summed(items, (u) => Number(u.prompt_tokens)),
			completion_tokens: summed(items, (u) => Number(u.completion_tokens)),
			total_tokens: summed(items, tokens),
			tool_calls_details: { search_web: { invocation: 3 } },
		});
		expect((totals.cost as IDataObject).currency).toBe('USD');
		expect((totals.cost as IDataObject).total_cost).toBeCloseTo(summed(items, cost), 9);
		expect(cost(items[0].json.usage as IDataObject)).toBeGreaterThan(0);
	});

	it('with Continue On Fail: counts the failed item, which adds nothing', async () => {
		const result = await run(
			{
				resource: 'chat',
				...chat({
					prompt:
						'={{ $itemIndex === 1 ? "Break [[sandbox:bad_request]]" : "What is item " + $itemIndex + "?" }}',
					options: { addRunTotals: true },
				}),
			},
			{ items: itemsOf(3), continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		const { items } = result;
		expect(items[1].json.error).toEqual(expect.any(String));
		expect(items[2].json.run_totals).toMatchObject({
			items: 3,
			failed: 1,
			total_tokens:
				tokens(items[0].json.usage as IDataObject) + tokens(items[2].json.usage as IDataObject),
		});
	});

	it('puts the totals on an error item when the last item failed', async () => {
		const result = await run(
			{
				resource: 'chat',
				...chat({
					prompt: '={{ $itemIndex === 1 ? "Break [[sandbox:bad_request]]" : "What is item 0?" }}',
					options: { addRunTotals: true },
				}),
			},
			{ items: itemsOf(2), continueOnFail: true },
		);
		const last = result.items[1].json;
		expect(last).toMatchObject({ error: expect.any(String), item: 1 });
		expect(last.run_totals).toMatchObject({ items: 2, failed: 1 });
	});

	it('sums Sonar usage, its request fee included', async () => {
		const result = await run(
			{
				resource: 'chat',
				...chat({ api: 'sonar', prompt: question, options: { addRunTotals: true } }),
			},
			{ items: itemsOf(2) },
		);
		const { items } = result;
		const totals = items[1].json.run_totals as IDataObject;
		const fee = (u: IDataObject) => Number((u.cost as IDataObject).request_cost);
		expect(totals).toMatchObject({ items: 2, failed: 0, total_tokens: summed(items, tokens) });
		expect((totals.cost as IDataObject).request_cost).toBeCloseTo(summed(items, fee), 9);
		expect(totals).not.toHaveProperty('search_context_size');
	});

	it('is off unless asked for, and version 1 has no such option', async () => {
		const off = await run(
			{ resource: 'chat', ...chat({ prompt: question }) },
			{ items: itemsOf(2) },
		);
		expect(off.items[1].json).not.toHaveProperty('run_totals');
		const v1 = await runNode({
			parameters: chat({ options: { addRunTotals: true } }),
			node: { typeVersion: 1 },
			credentials: credentials(),
		});
		expect(v1.error).toBeUndefined();
		expect(v1.items[0].json).not.toHaveProperty('run_totals');
	});
});

describe('Add Run Totals on Get Response', () => {
	it('sums the runs it fetched', async () => {
		env.sandbox.configure({ backgroundMs: 50 });
		const submitted = await run(
			{
				resource: 'chat',
				...chat({ prompt: question, requestOptions: { background: 'submit' } }),
			},
			{ items: itemsOf(2) },
		);
		const fetched = await run(
			{
				resource: 'response',
				operation: 'getResponse',
				responseId: '={{ $json.id }}',
				options: { addRunTotals: true },
				requestOptions: { pollInterval: 1 },
			},
			{ items: submitted.items.map(({ json }) => ({ json })) },
		);
		expect(fetched.error).toBeUndefined();
		const { items } = fetched;
		expect(items[0].json.run_totals).toBeUndefined();
		expect(items[1].json.run_totals).toMatchObject({
			items: 2,
			failed: 0,
			total_tokens: summed(items, tokens),
		});
		expect(completions(env.sandbox)).toHaveLength(2);
	});
});
