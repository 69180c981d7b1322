/**
 * The node's description against the rest of the node: every number parameter's editor limits are
 * exactly what the checks before sending accept; version 2 with its defaults sends what version 1
 * sent; the codex of every node in the package lets n8n's node search find it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { IDataObject, INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../../nodes/LmChatPerplexity/description';
import { PerplexityChat } from '../../nodes/PerplexityChat/PerplexityChat.node';
import { InputError } from '../../nodes/PerplexityChat/helpers/inputError';
import { present } from '../../nodes/PerplexityChat/helpers/presentation';
import {
	editorLimits,
	type RangeName,
	RANGES,
	SONAR_DEFAULTS,
} from '../../nodes/PerplexityChat/helpers/ranges';
import { buildRequest } from '../../nodes/PerplexityChat/helpers/requests';
import {
	resolveChatSettings,
	resolveExecutionSettings,
} from '../../nodes/PerplexityChat/helpers/settings';
import { rawChatParameters } from '../helpers/chatParameters';

const ROOT = path.resolve(__dirname, '..', '..');
const description: INodeTypeDescription = new PerplexityChat().description;

interface NumberParameter {
	path: string;
	property: INodeProperties;
}

/** Every number parameter, with its path: top-level, in a collection, or in a fixed collection. */
function numberParameters(properties: INodeProperties[], prefix = ''): NumberParameter[] {
	const found: NumberParameter[] = [];
	for (const property of properties) {
		const here = `${prefix}${property.name}`;
		if (property.type === 'number') found.push({ path: here, property });
		if (property.type === 'collection') {
			found.push(...numberParameters(property.options as INodeProperties[], `${here}.`));
		}
		if (property.type === 'fixedCollection') {
			for (const group of property.options as Array<{ name: string; values: INodeProperties[] }>) {
				found.push(...numberParameters(group.values, `${here}.${group.name}.`));
			}
		}
	}
	return found;
}

/**
 * The chat and response operations' number parameters; operations of the later resources (shown
 * for `resource: [...]`) keep their ranges in their own folder and test them beside it.
 */
const parameters = numberParameters(
	description.properties.filter(
		(property) => property.displayOptions?.show?.resource === undefined,
	),
);
const SONAR_ONLY = ['topK', 'frequencyPenalty', 'presencePenalty'];

const chatRaw = rawChatParameters;

/** Puts one value where the node reads it from and runs the node's own checks on it. */
function check(name: string, value: number): void {
	const [head, ...rest] = name.split('.');
	const last = rest.at(-1) ?? head;
	const api = SONAR_ONLY.includes(last) ? 'sonar' : 'agent';
	if (head === 'requestOptions') {
		resolveExecutionSettings({ [last]: value });
	} else if (head === 'options') {
		resolveChatSettings(chatRaw({ version: 1, api, options: { [last]: value } }));
	} else if (head === 'searchOptions') {
		// 0, 0 means "no location": the other coordinate is 1 so that this one is checked.
		const location = { latitude: 1, longitude: 1, [last]: value };
		resolveChatSettings(chatRaw({ searchOptions: { userLocation: { location } } }));
	} else {
		resolveChatSettings(chatRaw({ version: 2, api: 'sonar', sampling: { [head]: value } }));
	}
}

const refuses = (name: string, value: number) => {
	expect(() => check(name, value)).toThrow(InputError);
};

describe('number parameters: one source for the editor and the checks', () => {
	it('finds the number parameters of both versions', () => {
		const paths = parameters.map((p) => p.path);
		expect(paths).toEqual(expect.arrayContaining(['options.frequencyPenalty', 'frequencyPenalty']));
		expect(paths).toEqual(expect.arrayContaining(['requestOptions.timeout', 'maxTokens']));
	});

	it('has a range for every number parameter, and a parameter for every range', () => {
		const paths = new Set(parameters.map((p) => p.path));
		for (const { path: name } of parameters) expect(Object.keys(RANGES)).toContain(name);
		for (const name of Object.keys(RANGES)) expect(paths).toContain(name);
	});

	it.each(parameters.map((p) => [p.path, p] as const))(
		'%s: the editor limits are those of the range',
		(name, { property }) => {
			const limits = editorLimits(name as RangeName);
			const shown = property.typeOptions ?? {};
			expect({
				minValue: shown.minValue,
				maxValue: shown.maxValue,
				numberPrecision: shown.numberPrecision,
			}).toEqual({
				minValue: limits.minValue,
				maxValue: limits.maxValue,
				numberPrecision: limits.numberPrecision,
			});
		},
	);

	it.each(parameters.map((p) => [p.path, p] as const))(
		'%s: the checks accept the editor default, minimum and maximum and refuse a step beyond',
		(name, { property }) => {
			const { minValue, maxValue, numberPrecision } = property.typeOptions ?? {};
			const step = numberPrecision ? 10 ** -numberPrecision : 1;
			expect(() => check(name, property.default as number)).not.toThrow();
			if (minValue !== undefined) {
				expect(() => check(name, minValue)).not.toThrow();
				refuses(name, Number((minValue - step).toFixed(6)));
			}
			if (maxValue !== undefined) {
				expect(() => check(name, maxValue)).not.toThrow();
				refuses(name, Number((maxValue + step).toFixed(6)));
			}
		},
	);

	it('Frequency Penalty: above 0 in the editor and in the checks (0 is refused by both)', () => {
		for (const name of ['frequencyPenalty', 'options.frequencyPenalty'] as const) {
			expect(editorLimits(name).minValue).toBe(0.01);
			refuses(name, 0);
			expect(() => check(name, 0.01)).not.toThrow();
		}
	});

	it("version 2 shows the seed's defaults, which are Sonar's documented ones", () => {
		const sonarFields = description.properties.filter(
			(p) => p.name in SONAR_DEFAULTS && p.type === 'number',
		);
		expect(sonarFields.map((p) => [p.name, p.default])).toEqual(
			expect.arrayContaining(Object.entries(SONAR_DEFAULTS)),
		);
		expect(sonarFields).toHaveLength(Object.keys(SONAR_DEFAULTS).length);
	});
});

describe('version 2 sends what version 1 sent', () => {
	const defaults = (version: number, api: string): IDataObject => {
		const sampling: IDataObject = {};
		if (version === 2) {
			for (const property of description.properties) {
				const shows = property.displayOptions?.show ?? {};
				const forApi = (shows.api as string[] | undefined)?.includes(api) ?? false;
				if (property.type === 'number' && forApi) sampling[property.name] = property.default;
			}
		}
		return buildRequest(resolveChatSettings(chatRaw({ version, api, sampling })));
	};

	it.each(['agent', 'sonar'])('%s: a new node at its defaults', (api) => {
		expect(defaults(2, api)).toEqual(defaults(1, api));
	});

	it('sends Sonar settings changed from their defaults, and Max Tokens above 0', () => {
		const body = buildRequest(
			resolveChatSettings(
				chatRaw({
					version: 2,
					api: 'sonar',
					sampling: {
						maxTokens: 300,
						temperature: 0.7,
						topP: 0.9,
						topK: 40,
						frequencyPenalty: 1.2,
						presencePenalty: 0,
					},
				}),
			),
		);
		expect(body).toEqual({
			model: 'sonar',
			messages: [{ role: 'user', content: 'What is new in fusion energy?' }],
			max_tokens: 300,
			temperature: 0.7,
			top_k: 40,
			frequency_penalty: 1.2,
		});
	});

	it('on the Agent API: Max Tokens from the parameter, Temperature and Top P only from Options', () => {
		const body = buildRequest(
			resolveChatSettings(
				chatRaw({
					version: 2,
					sampling: { maxTokens: 256, temperature: 0.2, topK: 5 },
					options: { topP: 0.5 },
				}),
			),
		);
		expect(body).toMatchObject({ max_output_tokens: 256, top_p: 0.5 });
		expect(body).not.toHaveProperty('temperature');
		expect(body).not.toHaveProperty('top_k');
	});
});

describe('the model must exist on the chosen API', () => {
	it.each([1, 2])('version %s: a preset on Sonar is refused before sending, with a hint', (v) => {
		let error: InputError | undefined;
		try {
			resolveChatSettings(chatRaw({ version: v, api: 'sonar', model: 'fast' }));
		} catch (caught) {
			error = caught as InputError;
		}
		expect(error).toBeInstanceOf(InputError);
		expect(error?.message).toBe(
			'Model: "fast" is an Agent API preset: Sonar Chat Completions takes a Sonar model such as sonar or sonar-pro',
		);
		expect(error?.hint).toMatch(/set API to Agent API/);
		expect(error?.hint).not.toMatch(/use a preset/);
	});

	it('a Sonar model name or a gateway model ID still goes to Sonar', () => {
		for (const model of ['sonar-pro', 'openai/gpt-5.1']) {
			expect(() => resolveChatSettings(chatRaw({ api: 'sonar', model }))).not.toThrow();
		}
	});
});

describe('output layout', () => {
	const completion: IDataObject = {
		id: 'resp_1',
		model: 'sonar',
		object: 'chat.completion',
		created: 1,
		citations: ['https://a.example'],
		search_results: [{ url: 'https://a.example' }],
		choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hi' } }],
		usage: { total_tokens: 3 },
	};

	it('version 2 puts the answer first and keeps every field of the seed', () => {
		const output = present({ ...completion }, 'answerFirst');
		expect(Object.keys(output).slice(0, 2)).toEqual(['content', 'citations']);
		expect(output.content).toBe('Hi');
		expect(output).toEqual({ ...completion, content: 'Hi' });
	});

	it('the tool gives the agent the answer, its sources and the finish reason', () => {
		expect(present({ ...completion }, 'tool')).toEqual({
			content: 'Hi',
			citations: ['https://a.example'],
			finish_reason: 'stop',
		});
	});

	it('version 1 and outputs without choices stay as they are', () => {
		expect(present(completion, 'completion')).toBe(completion);
		const simplified = { content: 'Hi', citations: [] };
		expect(present(simplified, 'answerFirst')).toBe(simplified);
	});
});

describe('reasoning effort', () => {
	it('lists its levels in order, exactly those the checks accept', () => {
		const option = (description.properties.find((p) => p.name === 'options')?.options ??
			[]) as INodeProperties[];
		const effort = option.find((p) => p.name === 'reasoningEffort');
		const values = (effort?.options as Array<{ value: string }>).map((o) => o.value);
		expect(values).toEqual(['minimal', 'low', 'medium', 'high', 'xhigh']);
		for (const value of values) {
			expect(() =>
				resolveChatSettings(chatRaw({ options: { reasoningEffort: value } })),
			).not.toThrow();
		}
	});
});

describe('codex', () => {
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
		name: string;
		n8n: { nodes: string[] };
	};
	const nodes = pkg.n8n.nodes.map((built) => {
		const source = path.join(ROOT, built.replace(/^dist\//, '').replace(/\.js$/, ''));
		return { source, codex: `${source}.json` };
	});

	it('every node of the package has a codex file', () => {
		expect(nodes.length).toBeGreaterThan(0);
		for (const { codex } of nodes) expect(fs.existsSync(codex)).toBe(true);
	});

	it.each(nodes.map((n) => [path.basename(n.codex), n] as const))(
		'%s names its node and lists the subcategories n8n search needs',
		(_, { source, codex }) => {
			const data = JSON.parse(fs.readFileSync(codex, 'utf8')) as {
				node: string;
				categories: string[];
				subcategories?: Record<string, string[]>;
			};
			const exported = Object.values(require(source) as Record<string, new () => unknown>);
			const node = new exported[0]() as { description: INodeTypeDescription };
			expect(data.node).toBe(`${pkg.name}.${node.description.name}`);
			expect(data.categories.length).toBeGreaterThan(0);
			// n8n's node search hides AI nodes from a workflow without an AI node yet unless they are
			// root nodes; its own OpenAI, Anthropic and Gemini nodes list "Root Nodes" like this.
			if (data.categories.includes('AI')) {
				expect(data.subcategories?.AI).toEqual(expect.arrayContaining(['Root Nodes']));
			}
		},
	);
});

describe('rate limits in the editor', () => {
	const requestOptions = description.properties.filter(
		(property) => property.name === 'requestOptions',
	);

	it('every Request Options collection, of both versions and operations, has Max Wait for Rate Limit', () => {
		expect(requestOptions.length).toBeGreaterThanOrEqual(2);
		for (const collection of requestOptions) {
			const options = collection.options as INodeProperties[];
			const maxWait = options.find((option) => option.name === 'maxRateLimitWait');
			expect(maxWait).toMatchObject({
				displayName: 'Max Wait for Rate Limit (Seconds)',
				default: 600,
			});
			expect(maxWait?.displayOptions).toBeUndefined();
			const concurrency = options.find((option) => option.name === 'concurrency');
			expect(concurrency?.description).toContain(
				'Requests slow down on their own when Perplexity answers 429',
			);
		}
	});

	it('no Request Options collection is limited to one node version', () => {
		for (const collection of requestOptions) {
			expect(collection.displayOptions?.show?.['@version']).toBeUndefined();
		}
	});

	it('Perplexity Chat Model offers the same Max Wait for Rate Limit, range and description alike', () => {
		const option = (properties: INodeProperties[]) =>
			(properties.find((p) => p.name === 'requestOptions')?.options as INodeProperties[]).find(
				(p) => p.name === 'maxRateLimitWait',
			);
		const ours = option(requestOptions);
		expect(ours?.typeOptions).toEqual(editorLimits('requestOptions.maxRateLimitWait'));
		expect(option(modelProperties)).toEqual(ours);
	});
});

describe('the options version 2 added', () => {
	const optionsOf = (operation: string, version: 1 | 2) =>
		description.properties
			.filter(
				(property) =>
					property.name === 'options' &&
					(property.displayOptions?.show?.operation as string[] | undefined)?.includes(operation) &&
					JSON.stringify(property.displayOptions?.show?.['@version']) ===
						JSON.stringify(version === 1 ? [1] : [{ _cnd: { gte: 2 } }]),
			)
			.flatMap((property) => property.options as INodeProperties[]);
	const names = (options: INodeProperties[]) => options.map((option) => option.name);
	const NEW = ['addRunTotals', 'previousResponseId', 'image'];

	it('Create Chat Completion: Image, Continue From Response ID and Add Run Totals from version 2 only, in alphabetical order', () => {
		expect(names(optionsOf('complete', 2))).toEqual(expect.arrayContaining(NEW));
		expect(names(optionsOf('complete', 1))).toEqual(
			expect.not.arrayContaining([
				expect.stringMatching(/^(addRunTotals|previousResponseId|image)$/),
			]),
		);
		const displayNames = optionsOf('complete', 2).map((option) => option.displayName);
		expect(displayNames).toEqual([...displayNames].sort((a, b) => a.localeCompare(b)));
	});

	it('Continue From Response ID is shown on the Agent API only; Image on both', () => {
		const v2 = optionsOf('complete', 2);
		expect(v2.find((o) => o.name === 'previousResponseId')?.displayOptions).toEqual({
			show: { '/api': ['agent'] },
		});
		expect(v2.find((o) => o.name === 'image')?.displayOptions).toBeUndefined();
	});

	it('Get Response: Add Run Totals from version 2, and version 1 keeps its one option', () => {
		expect(names(optionsOf('getResponse', 1))).toEqual(['includeRawResponse']);
		expect(names(optionsOf('getResponse', 2))).toEqual(['addRunTotals', 'includeRawResponse']);
	});
});
