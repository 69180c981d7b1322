/** The sandbox's function tools: deterministic calls, quoted outputs, the same in streams. */
import { startSandbox, type Sandbox } from './server';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, apiKey: 'k' });
});
afterAll(async () => {
	await sandbox.stop();
});
beforeEach(() => sandbox.reset());

const CALCULATOR = {
	type: 'function',
	name: 'Calculator',
	description:
		'Useful for getting the result of a math expression. The input to this tool should be a valid mathematical expression that could be executed by a simple calculator.',
	parameters: { type: 'object', properties: { input: { type: 'string' } } },
};
const WEATHER = {
	type: 'function',
	name: 'get_weather',
	description: 'Forecast for a city',
	parameters: {
		type: 'object',
		properties: { city: { type: 'string' }, days: { type: 'integer' } },
		required: ['city', 'days'],
	},
};
const TOOLS = [{ type: 'web_search' }, CALCULATOR, WEATHER];

async function post(body: object): Promise<{ status: number; text: string; json: any }> {
	const res = await fetch(`${sandbox.url}/v1/agent`, {
		method: 'POST',
		headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	let json: any;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, text, json };
}

const events = (text: string) =>
	text
		.split('\n')
		.filter((line) => line.startsWith('data: '))
		.map((line) => JSON.parse(line.slice(6)) as Record<string, any>);

describe('function tools in the sandbox', () => {
	const question = 'Use the calculator for 12 * 7 + 3, and the weather for 3 days';

	test('a message that asks for two tools gets two function calls whose arguments fit the schemas', async () => {
		const { status, json } = await post({
			model: 'perplexity/sonar',
			input: [{ role: 'user', content: question }],
			tools: TOOLS,
		});
		expect(status).toBe(200);
		expect(json.status).toBe('completed');
		expect(json.output).toEqual([
			expect.objectContaining({
				type: 'function_call',
				name: 'Calculator',
				call_id: expect.stringMatching(/^call_/),
				arguments: '{"input":"12 * 7 + 3"}',
			}),
			expect.objectContaining({ type: 'function_call', name: 'get_weather' }),
		]);
		const weather = JSON.parse(json.output[1].arguments);
		expect(Object.keys(weather).sort()).toEqual(['city', 'days']);
		expect(weather.days).toBe(12);
		// A turn that calls tools has searched nothing yet.
		expect(json.usage.tool_calls_details).toEqual({});
	});

	test('given the outputs, the answer quotes them, with its sources', async () => {
		const first = await post({
			model: 'perplexity/sonar',
			input: [{ role: 'user', content: question }],
			tools: TOOLS,
		});
		const calls = first.json.output as Array<Record<string, string>>;
		const { json } = await post({
			model: 'perplexity/sonar',
			input: [
				{ role: 'user', content: question },
				...calls.map(({ call_id, name, arguments: args }) => ({
					type: 'function_call',
					call_id,
					name,
					arguments: args,
				})),
				{ type: 'function_call_output', call_id: calls[0].call_id, output: '87' },
				{ type: 'function_call_output', call_id: calls[1].call_id, output: 'sunny' },
			],
			tools: TOOLS,
		});
		const message = json.output.find((item: any) => item.type === 'message');
		const answer: string = message.content[0].text;
		expect(
			answer.startsWith('The Calculator tool returned 87. The get_weather tool returned sunny. '),
		).toBe(true);
		// The answer still cites its sources after the quote was put in front.
		expect(answer).toMatch(/\[\d\]/);
		expect(message.content[0].annotations).toEqual([]);
	});

	test('a tool with an output is not called again; the one still missing is', async () => {
		const { json } = await post({
			model: 'perplexity/sonar',
			input: [
				{ role: 'user', content: question },
				{ type: 'function_call', call_id: 'call_x', name: 'Calculator', arguments: '{}' },
				{ type: 'function_call_output', call_id: 'call_x', output: '87' },
			],
			tools: TOOLS,
		});
		expect(json.output.map((item: any) => item.name)).toEqual(['get_weather']);
	});

	test('a message that asks for no tool is answered as usual', async () => {
		const { json } = await post({
			model: 'perplexity/sonar',
			input: [{ role: 'user', content: 'Why is the sky blue?' }],
			tools: TOOLS,
		});
		expect(json.output.map((item: any) => item.type)).toEqual(['search_results', 'message']);
	});

	test('streamed, each call arrives whole in output_item events, and the final response has them', async () => {
		const { text } = await post({
			model: 'perplexity/sonar',
			stream: true,
			input: [{ role: 'user', content: 'What is 6 * 7? Ask the calculator.' }],
			tools: TOOLS,
		});
		const stream = events(text);
		expect(stream.map((e) => e.type)).toEqual([
			'response.created',
			'response.in_progress',
			'response.output_item.added',
			'response.output_item.done',
			'response.completed',
		]);
		const added = stream[2].item;
		expect(added).toEqual(
			expect.objectContaining({
				type: 'function_call',
				name: 'Calculator',
				arguments: '{"input":"6 * 7"}',
			}),
		);
		expect(stream[4].response.output).toEqual([added]);
		expect(stream.some((e) => e.type === 'response.output_text.delta')).toBe(false);
	});
});
