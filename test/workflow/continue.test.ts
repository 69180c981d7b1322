/**
 * Options → Continue From Response ID through n8n-core's engine: a follow-up sends only its new
 * question with previous_response_id, the ID mapped from the node before with {{ $json.id }}.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import {
	NODE_TYPE,
	PACKAGE_ROOT,
	runNode,
	runWorkflow,
	type WorkflowInput,
} from '../helpers/harness';
import { API_KEY, chat, completions, useSandbox } from './support';

const env = useSandbox();

const credentials = () => ({ apiKey: API_KEY, baseUrl: env.sandbox.url });

async function ask(
	parameters: INodeParameters,
	{ items, continueOnFail }: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {},
) {
	return await runNode({
		parameters: { resource: 'chat', ...chat(parameters) },
		node: { typeVersion: 3 },
		items,
		continueOnFail,
		credentials: credentials(),
	});
}

const continueFrom = (id: string) => ({ options: { previousResponseId: id } });

/** examples/6-continue-conversation.json, its Perplexity Chat nodes fed one item as the trigger would. */
function example(): WorkflowInput {
	const file = path.join(PACKAGE_ROOT, 'examples', '6-continue-conversation.json');
	const workflow = JSON.parse(readFileSync(file, 'utf8')) as WorkflowInput;
	const trigger = workflow.nodes.find((node) => node.type !== NODE_TYPE)?.name ?? '';
	const { [trigger]: _trigger, ...connections } = workflow.connections;
	return {
		...workflow,
		nodes: workflow.nodes.filter((node) => node.type === NODE_TYPE),
		connections,
	};
}

describe('the example: three questions, each continuing from the answer before', () => {
	it('sends each follow-up alone with the ID of the answer before, and the answers show the chain', async () => {
		const result = await runWorkflow(example(), { credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(result.executionOrder).toEqual(['Ask', 'Follow-up', 'Second follow-up']);
		const [ask, followUp, second] = ['Ask', 'Follow-up', 'Second follow-up'].map(
			(name) => result.nodes[name].items[0].json,
		);
		for (const json of [ask, followUp, second]) {
			expect(json.id).toEqual(expect.stringMatching(/^resp_/));
		}

		const bodies = completions(env.sandbox).map((request) => request.body as IDataObject);
		expect(bodies).toEqual([
			{
				model: 'perplexity/sonar',
				input: [{ role: 'user', content: 'Which moon of Saturn is the largest?' }],
				tools: [{ type: 'web_search' }],
			},
			{
				model: 'perplexity/sonar',
				input: [{ role: 'user', content: 'How thick is its atmosphere compared to Earth’s?' }],
				previous_response_id: ask.id,
				tools: [{ type: 'web_search' }],
			},
			{
				model: 'perplexity/sonar',
				input: [{ role: 'user', content: 'Could there be liquid water below its surface?' }],
				previous_response_id: followUp.id,
				tools: [{ type: 'web_search' }],
			},
		]);
		expect(String(second.content)).toContain(
			'This continues the conversation in which you asked "Which moon of Saturn is the largest?", then "How thick is its atmosphere compared to Earth’s?".',
		);
		expect(String(followUp.content)).toContain('you asked "Which moon of Saturn is the largest?".');
	});

	it('keeps the response ID in every output layout a next node may read', async () => {
		for (const simplify of [false, true]) {
			env.sandbox.reset();
			const result = await ask({ simplify });
			expect(result.items[0].json.id).toEqual(expect.stringMatching(/^resp_/));
			const stream = await ask({ simplify, requestOptions: { stream: true } });
			expect(stream.items[0].json.id).toEqual(expect.stringMatching(/^resp_/));
		}
	});
});

describe('each item continues its own conversation', () => {
	it('maps every item’s ID, in order and paired', async () => {
		const openers = await ask(
			{ prompt: '={{ "Topic " + $itemIndex + ": what is it?" }}' },
			{
				items: [{ json: {} }, { json: {} }],
			},
		);
		const next = await ask(
			{ prompt: 'And why does it matter?', ...continueFrom('={{ $json.id }}') },
			{ items: openers.items.map(({ json }) => ({ json })) },
		);
		expect(next.error).toBeUndefined();
		next.items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(String(item.json.content)).toContain(`you asked "Topic ${i}: what is it?".`);
		});
		const sent = completions(env.sandbox)
			.slice(2)
			.map((request) => (request.body as IDataObject).previous_response_id)
			.sort();
		expect(sent).toEqual(openers.items.map((item) => item.json.id).sort());
	});
});

describe('faults', () => {
	it('a retried follow-up keeps its response ID: a 503 first, then the continued answer', async () => {
		const opener = await ask({ prompt: 'Which planet is the largest?' });
		const id = String(opener.items[0].json.id);
		const result = await ask({
			prompt: 'How many moons does it have? [[sandbox:unavailable times=1]]',
			...continueFrom(id),
		});
		expect(result.error).toBeUndefined();
		const calls = completions(env.sandbox).slice(1);
		expect(
			calls.map((call) => [call.status, (call.body as IDataObject).previous_response_id]),
		).toEqual([
			[503, id],
			[200, id],
		]);
		expect(String(result.items[0].json.content)).toContain(
			'you asked "Which planet is the largest?".',
		);
	});
});

describe('a response ID Perplexity does not know', () => {
	it('fails the item with the 404, once (not retried), and says what the option takes', async () => {
		const result = await ask(continueFrom('resp_00000000-0000-4000-8000-0000000fffff'));
		expect(result.error).toBeInstanceOf(NodeApiError);
		expect(result.error?.message).toBe(
			"Perplexity API error 404 (not_found): Previous response with id 'resp_00000000-0000-4000-8000-0000000fffff' not found [item 0]",
		);
		expect((result.error as NodeApiError).description).toContain(
			'Continue From Response ID takes the ID of a completed Agent API answer',
		);
		expect(completions(env.sandbox)).toHaveLength(1);
	});

	it('with Continue On Fail, that item gets its error in place and the others their answers', async () => {
		const opener = await ask({});
		const known = String(opener.items[0].json.id);
		const result = await ask(
			{ prompt: 'And then?', ...continueFrom('={{ $json.id }}') },
			{
				items: [{ json: { id: known } }, { json: { id: 'resp_gone' } }, { json: { id: known } }],
				continueOnFail: true,
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(result.items[1].json).toMatchObject({
			error: expect.stringContaining("Previous response with id 'resp_gone' not found"),
			httpCode: '404',
		});
		expect(String(result.items[2].json.content)).toContain('This continues the conversation');
	});
});

describe('checks before anything is sent', () => {
	it('refuses an ID that is not one, naming the option and the item; nothing goes out', async () => {
		const result = await ask(
			{ prompt: 'And then?', ...continueFrom('={{ $json.id }}') },
			{ items: [{ json: { id: 'resp_1' } }, { json: { id: 'resp_1 resp_2' } }] },
		);
		expect(result.error?.message).toBe(
			'Options → Continue From Response ID: "resp_1 resp_2" is not a response ID [item 1]',
		);
		expect(completions(env.sandbox)).toEqual([]);
	});

	it('an empty ID (e.g. the first turn of a loop) starts a new conversation', async () => {
		const result = await ask(continueFrom('={{ $json.id ?? "" }}'));
		expect(result.error).toBeUndefined();
		expect(completions(env.sandbox)[0].body).not.toHaveProperty('previous_response_id');
	});

	it('on Sonar, where the option is hidden, a value left over from the Agent API is not sent', async () => {
		const result = await ask({ api: 'sonar', ...continueFrom('resp_1') });
		expect(result.error).toBeUndefined();
		expect(completions(env.sandbox)[0].body).not.toHaveProperty('previous_response_id');
	});
});
