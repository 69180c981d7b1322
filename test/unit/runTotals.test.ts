import type { INodeExecutionData } from 'n8n-workflow';

import { addRunTotals, runTotals } from '../../nodes/PerplexityChat/helpers/runTotals';

const agentUsage = (input: number, output: number, cost: number) => ({
	prompt_tokens: input,
	completion_tokens: output,
	total_tokens: input + output,
	prompt_tokens_details: { cached_tokens: 0 },
	tool_calls_details: { search_web: { cost_usd: 0.001, invocation: 1 } },
	reasoning_tokens: 0,
	cost: {
		currency: 'USD',
		input_tokens_cost: cost / 2,
		output_tokens_cost: cost / 2,
		tool_calls_cost: 0.001,
		total_cost: cost + 0.001,
	},
});

const item = (json: INodeExecutionData['json'], index: number): INodeExecutionData => ({
	json,
	pairedItem: { item: index },
});

describe('runTotals', () => {
	it('sums every number of every usage by name, at every depth', () => {
		const totals = runTotals([
			item({ content: 'a', usage: agentUsage(10, 20, 0.1) }, 0),
			item({ content: 'b', usage: agentUsage(5, 7, 0.2) }, 1),
		]);
		expect(totals).toEqual({
			items: 2,
			failed: 0,
			prompt_tokens: 15,
			completion_tokens: 27,
			total_tokens: 42,
			prompt_tokens_details: { cached_tokens: 0 },
			tool_calls_details: { search_web: { cost_usd: 0.002, invocation: 2 } },
			reasoning_tokens: 0,
			cost: {
				currency: 'USD',
				input_tokens_cost: 0.15,
				output_tokens_cost: 0.15,
				tool_calls_cost: 0.002,
				total_cost: 0.302,
			},
		});
	});

	it('keeps money free of float noise', () => {
		const tenth = { cost: { total_cost: 0.1 } };
		const totals = runTotals([
			item({ usage: tenth }, 0),
			item({ usage: { cost: { total_cost: 0.2 } } }, 1),
		]);
		expect(totals.cost).toEqual({ total_cost: 0.3 });
	});

	it('counts error items as failed, and they add nothing; nor does an item without usage', () => {
		const totals = runTotals([
			item({ usage: { prompt_tokens: 3, total_tokens: 3 } }, 0),
			item({ error: 'Perplexity API error 400 (invalid_request): bad [item 1]', item: 1 }, 1),
			item({ id: 'resp_1', status: 'queued' }, 2),
		]);
		expect(totals).toEqual({ items: 3, failed: 1, prompt_tokens: 3, total_tokens: 3 });
	});

	it('sums Sonar usage just as well, and drops a currency the items disagree on', () => {
		const sonar = {
			prompt_tokens: 4,
			completion_tokens: 6,
			total_tokens: 10,
			search_context_size: 'low',
			cost: {
				input_tokens_cost: 0.01,
				output_tokens_cost: 0.02,
				request_cost: 0.005,
				total_cost: 0.035,
			},
		};
		expect(runTotals([item({ usage: sonar }, 0), item({ usage: sonar }, 1)])).toEqual({
			items: 2,
			failed: 0,
			prompt_tokens: 8,
			completion_tokens: 12,
			total_tokens: 20,
			cost: {
				input_tokens_cost: 0.02,
				output_tokens_cost: 0.04,
				request_cost: 0.01,
				total_cost: 0.07,
			},
		});
		const mixed = runTotals([
			item({ usage: { cost: { currency: 'USD', total_cost: 1 } } }, 0),
			item({ usage: { cost: { currency: 'EUR', total_cost: 1 } } }, 1),
		]);
		expect(mixed.cost).toEqual({ total_cost: 2 });
	});
});

describe('runTotals of request usages', () => {
	// The shape of `EmbeddingsUsage` in the published spec: usage per request, not per item.
	const request = (tokens: number, cost: number) => ({
		prompt_tokens: tokens,
		total_tokens: tokens,
		cost: { input_cost: cost, total_cost: cost, currency: 'USD' },
	});

	it('sums the usages given, by the same rules, and counts items and error items from the items', () => {
		const totals = runTotals(
			[
				item({ embedding: [1, 2] }, 0),
				item({ error: 'Perplexity API error 503 (service_unavailable): … [item 1]', item: 1 }, 1),
				item({ embedding: [3, 4] }, 2),
			],
			[request(7, 0.1), request(5, 0.2), undefined, 'not a usage'],
		);
		expect(totals).toEqual({
			items: 3,
			failed: 1,
			prompt_tokens: 12,
			total_tokens: 12,
			cost: { input_cost: 0.3, total_cost: 0.3, currency: 'USD' },
		});
	});

	it("takes the usages given instead of the items' own", () => {
		const items = [item({ usage: { total_tokens: 100 } }, 0)];
		expect(runTotals(items, [{ total_tokens: 2 }])).toEqual({
			items: 1,
			failed: 0,
			total_tokens: 2,
		});
		expect(runTotals(items, [])).toEqual({ items: 1, failed: 0 });
	});
});

describe('addRunTotals', () => {
	it('adds run_totals to the last item only, and keeps every item paired', () => {
		const items = [
			item({ content: 'a', usage: { total_tokens: 1 } }, 0),
			item({ content: 'b', usage: { total_tokens: 2 } }, 1),
		];
		const out = addRunTotals(items);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out[0]).toBe(items[0]);
		expect(out[1].json).toEqual({
			content: 'b',
			usage: { total_tokens: 2 },
			run_totals: { items: 2, failed: 0, total_tokens: 3 },
		});
		expect(items[1].json).not.toHaveProperty('run_totals');
	});

	it('puts the sum of the usages given on the last item', () => {
		const items = [item({ embedding: [1] }, 0), item({ embedding: [2] }, 1)];
		const out = addRunTotals(items, [{ total_tokens: 4 }, { total_tokens: 5 }]);
		expect(out[1].json.run_totals).toEqual({ items: 2, failed: 0, total_tokens: 9 });
	});

	it('leaves an empty run alone', () => {
		expect(addRunTotals([])).toEqual([]);
	});
});
