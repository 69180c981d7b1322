import type { IDataObject } from 'n8n-workflow';

import type { ApiKind } from '../../nodes/PerplexityChat/helpers/interfaces';
import { attachImage, buildRequest } from '../../nodes/PerplexityChat/helpers/requests';
import {
	type RawChatParameters,
	resolveChatSettings,
} from '../../nodes/PerplexityChat/helpers/settings';
import { rawChatParameters } from '../helpers/chatParameters';
import {
	isProven,
	refusedField,
	WIRE_FIELDS,
	wirePaths,
} from '../../nodes/PerplexityChat/helpers/wireFields';

/**
 * Every body the node can build, checked field by field, at every depth, against the evidence
 * table: a default request and each option on its own. A field missing from the table, a
 * docs-only field in a default request, or a docs-only field from an option other than the one
 * its row names fails here.
 */

type Overrides = Partial<RawChatParameters>;

function body(api: ApiKind, overrides: Overrides = {}): IDataObject {
	return buildRequest(resolveChatSettings(rawChatParameters({ api, ...overrides })));
}

interface Problem {
	path: string;
	problem: string;
}

/**
 * What is wrong with a body: fields the table does not have, and docs-only fields that the option
 * under test does not send (for a default request: any docs-only field).
 */
function problems(api: ApiKind, sent: IDataObject, option?: string): Problem[] {
	const table = WIRE_FIELDS[api];
	return wirePaths(sent, table).flatMap((path): Problem[] => {
		const field = table[path];
		if (!field) return [{ path, problem: 'not in the evidence table' }];
		if (isProven(field)) return [];
		if (option !== undefined && field.option === option) return [];
		return [{ path, problem: `docs-only (${field.evidence.join('')}), sent by ${field.option}` }];
	});
}

function docsOnlyPaths(api: ApiKind, sent: IDataObject): string[] {
	const table = WIRE_FIELDS[api];
	return wirePaths(sent, table).filter((path) => table[path] && !isProven(table[path]));
}

const conversation: Overrides = {
	inputMode: 'messages',
	messages: {
		values: [
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello!' },
			{ role: 'user', content: 'Weather?' },
		],
	},
};

const defaults: Array<[string, ApiKind, Overrides]> = [
	['Agent API, Sonar name (perplexity/sonar + web_search)', 'agent', {}],
	['Agent API, preset', 'agent', { model: 'fast' }],
	['Agent API, model ID', 'agent', { model: 'openai/gpt-5.1' }],
	['Agent API, a conversation', 'agent', conversation],
	['Sonar', 'sonar', {}],
	['Sonar, a conversation', 'sonar', conversation],
];

const schema = {
	jsonSchema: {
		name: 'facts',
		description: 'The facts',
		schema: '{"type":"object","properties":{"tool_choice":{"type":"string"}}}',
		strict: true,
	},
};
const location = {
	location: { latitude: 52.5, longitude: 13.4, country: 'DE', region: 'Berlin', city: 'Berlin' },
};

/** Each option on its own, as the table names it, with parameters that make it send something. */
const options: Array<[string, Overrides]> = [
	['Options → Max Tokens', { options: { maxTokens: 300 } }],
	['Options → Temperature', { options: { temperature: 0.7 } }],
	['Options → Top P', { options: { topP: 0.5 } }],
	['Options → Reasoning Effort', { options: { reasoningEffort: 'high' } }],
	['Options → Language Preference', { options: { languagePreference: 'fr' } }],
	['Options → Structured Output (JSON Schema)', { options: { responseFormat: schema } }],
	['Search → Domain Filter', { searchOptions: { domainFilter: 'nature.com, -reddit.com' } }],
	['Search → Recency', { searchOptions: { recency: 'week' } }],
	['Search → Published After', { searchOptions: { publishedAfter: '2026-01-15' } }],
	['Search → Published Before', { searchOptions: { publishedBefore: '2026-03-01' } }],
	['Search → Updated After', { searchOptions: { updatedAfter: '2026-02-01' } }],
	['Search → Updated Before', { searchOptions: { updatedBefore: '2026-02-02' } }],
	['Search → Search Context Size', { searchOptions: { contextSize: 'high' } }],
	['Search → User Location', { searchOptions: { userLocation: location } }],
	['Search → Disable Search', { searchOptions: { disableSearch: true } }],
	['Request Options → Stream Response', { requestOptions: { stream: true } }],
	[
		'Options → Image',
		{
			version: 2,
			options: { image: { values: { source: 'url', url: 'https://example.com/chart.png' } } },
		},
	],
];

const agentOptions: Array<[string, Overrides]> = [
	...options,
	[
		'Options → Fallback Models',
		{ model: 'openai/gpt-5.1', options: { fallbackModels: 'anthropic/claude-sonnet-4-5' } },
	],
	['Options → Max Steps', { options: { maxSteps: 4 } }],
	['Search → Force Web Search', { searchOptions: { alwaysSearch: true } }],
	['Request Options → Background Mode', { requestOptions: { background: 'wait' } }],
	['Request Options → Background Mode', { requestOptions: { background: 'submit' } }],
	[
		'Options → Continue From Response ID',
		{ version: 2, options: { previousResponseId: 'resp_1' } },
	],
	// A preset brings its own search: the tool goes out only to carry a setting.
	['Search → Domain Filter', { model: 'fast', searchOptions: { domainFilter: 'arxiv.org' } }],
	['Search → Recency', { model: 'low', searchOptions: { recency: 'year' } }],
	// Settings that exist on Sonar only, left over from switching API: nothing may go out.
	[
		'Sonar-only leftovers',
		{
			options: { topK: 40, frequencyPenalty: 1.2, presencePenalty: 0.5 },
			searchOptions: { searchMode: 'academic', returnImages: true, languageFilter: 'de' },
		},
	],
];

const sonarOptions: Array<[string, Overrides]> = [
	...options,
	['Options → Top K', { options: { topK: 40 } }],
	['Options → Frequency Penalty', { options: { frequencyPenalty: 1.2 } }],
	['Options → Presence Penalty', { options: { presencePenalty: 0.5 } }],
	['Search → Search Mode', { searchOptions: { searchMode: 'academic' } }],
	['Search → Return Images', { searchOptions: { returnImages: true } }],
	['Search → Return Related Questions', { searchOptions: { returnRelatedQuestions: true } }],
	['Search → Language Filter', { searchOptions: { languageFilter: 'en, fr' } }],
	[
		'Agent-only leftovers',
		{
			version: 2,
			searchOptions: { alwaysSearch: true },
			options: { previousResponseId: 'resp_1' },
		},
	],
];

const cases: Array<[ApiKind, string, Overrides]> = [
	...agentOptions.map(([option, overrides]): [ApiKind, string, Overrides] => [
		'agent',
		option,
		overrides,
	]),
	...sonarOptions.map(([option, overrides]): [ApiKind, string, Overrides] => [
		'sonar',
		option,
		overrides,
	]),
];

describe('a default request carries proven fields only', () => {
	it.each(defaults)('%s', (_name, api, overrides) => {
		const sent = body(api, overrides);
		expect(problems(api, sent)).toEqual([]);
	});

	it('the recorded default: a bare preset is {input, preset}, with input items as recorded', () => {
		expect(body('agent', { model: 'fast' })).toEqual({
			preset: 'fast',
			input: [{ role: 'user', content: 'What is new in fusion energy?' }],
		});
	});
});

describe('each option on its own', () => {
	it.each(cases)('%s: %s', (api, option, overrides) => {
		const sent = body(api, overrides);
		expect(problems(api, sent, option)).toEqual([]);

		const table = WIRE_FIELDS[api];
		const rowsOfOption = Object.keys(table).filter((path) => table[path].option === option);
		const docsOnlyRows = rowsOfOption.filter((path) => !isProven(table[path]));
		// A docs-only option sends exactly the docs-only field its row names, and no other.
		expect(docsOnlyPaths(api, sent)).toEqual(docsOnlyRows);
	});

	it('every row of the table is sent by some option, so the table lists nothing the node cannot send', () => {
		for (const api of ['agent', 'sonar'] as const) {
			const sent = new Set<string>();
			for (const [caseApi, , overrides] of [
				...defaults.map(([, a, o]): [ApiKind, string, Overrides] => [a, '', o]),
				...cases,
			]) {
				if (caseApi === api)
					wirePaths(body(api, overrides), WIRE_FIELDS[api]).forEach((path) => sent.add(path));
			}
			expect([...sent].sort()).toEqual(Object.keys(WIRE_FIELDS[api]).sort());
		}
	});

	it('every row names its evidence and the option that sends it', () => {
		for (const table of Object.values(WIRE_FIELDS)) {
			for (const [path, field] of Object.entries(table)) {
				expect([path, field.evidence.length > 0, field.source !== '', field.option !== '']).toEqual(
					[path, true, true, true],
				);
			}
		}
	});
});

describe('an image from binary data, attached when its request goes out', () => {
	const dataUrl = 'data:image/png;base64,iVBORw0KGgo=';

	it.each<ApiKind>(['agent', 'sonar'])('%s: every field of the image part is proven', (api) => {
		const sent = attachImage(api, body(api, conversation), dataUrl);
		expect(problems(api, sent)).toEqual([]);
		expect(wirePaths(sent, WIRE_FIELDS[api])).toEqual(
			expect.arrayContaining(
				api === 'agent' ? ['input[].content[].image_url'] : ['messages[].content[].image_url.url'],
			),
		);
	});
});

describe('the check itself', () => {
	const sent = body('agent');

	it.each<[string, IDataObject, Problem[]]>([
		[
			'tool_choice by default',
			{ ...sent, tool_choice: { type: 'web_search' } },
			[
				{ path: 'tool_choice', problem: 'docs-only (D), sent by Search → Force Web Search' },
				{ path: 'tool_choice.type', problem: 'docs-only (D), sent by Search → Force Web Search' },
			],
		],
		[
			'an input item with type',
			{ ...sent, input: [{ type: 'message', role: 'user', content: 'Hi' }] },
			[{ path: 'input[].type', problem: 'not in the evidence table' }],
		],
		[
			'max_results on the web_search tool',
			{ ...sent, tools: [{ type: 'web_search', max_results: 5 }] },
			[{ path: 'tools[].max_results', problem: 'not in the evidence table' }],
		],
		[
			'a Sonar field on the Agent API',
			{ ...sent, top_k: 4 },
			[{ path: 'top_k', problem: 'not in the evidence table' }],
		],
		[
			'effort at the wrong depth',
			{ ...sent, reasoning: { effort: 'low', budget: 3 } },
			[{ path: 'reasoning.budget', problem: 'not in the evidence table' }],
		],
	])('finds %s', (_name, bad, expected) => {
		expect(problems('agent', bad)).toEqual(expected);
	});

	it('walks objects inside arrays and leaves the user’s JSON schema alone', () => {
		const structured = body('agent', {
			options: { responseFormat: schema },
			searchOptions: { userLocation: location },
		});
		const paths = wirePaths(structured, WIRE_FIELDS.agent);
		expect(paths).toContain('tools[].user_location.city');
		expect(paths).toContain('response_format.json_schema.schema');
		expect(paths.some((path) => path.startsWith('response_format.json_schema.schema.'))).toBe(
			false,
		);
	});
});

describe('refusedField: the option behind a field the API refuses', () => {
	const forced = body('agent', {
		searchOptions: { alwaysSearch: true, domainFilter: 'nature.com' },
		options: { responseFormat: schema, temperature: 0.5 },
	});

	it.each([
		['tool_choice', 'tool_choice', 'Search → Force Web Search', true],
		['temperature', 'temperature', 'Options → Temperature', true],
		[
			'search_domain_filter',
			'tools[].filters.search_domain_filter',
			'Search → Domain Filter',
			false,
		],
		[
			'tools[0].filters',
			'tools[].filters',
			'Search → Domain Filter, Recency or a date filter',
			false,
		],
		['tools.0.type', 'tools[].type', expect.stringMatching(/^Model/), false],
	])('param %s', (param, path, option, docsOnly) => {
		const message = `invalid request body: json: unknown field "${param}"`;
		expect(refusedField('agent', forced, { param, message })).toEqual({
			path,
			option,
			docsOnly,
		});
	});

	it('reads the field from the message when there is no param', () => {
		const message = 'invalid request body: json: unknown field "tool_choice"';
		expect(refusedField('agent', forced, { message })?.option).toBe('Search → Force Web Search');
	});

	it('leaves an error about the value of a proven field to the API, but not of a docs-only one', () => {
		const invalid = { param: 'search_domain_filter', message: 'invalid domain filter' };
		expect(refusedField('agent', forced, invalid)).toBeUndefined();
		expect(refusedField('agent', forced, { param: 'model', message: 'Model not found' })).toBe(
			undefined,
		);
		const range = { param: 'temperature', message: 'temperature must be between 0 and 2' };
		expect(refusedField('agent', forced, range)?.option).toBe('Options → Temperature');
	});

	it('names nothing for a field the node did not send, or one inside the user’s schema', () => {
		expect(refusedField('agent', body('agent'), { param: 'tool_choice', message: '' })).toBe(
			undefined,
		);
		expect(refusedField('agent', forced, { param: 'properties', message: '' })).toBeUndefined();
		expect(refusedField('agent', forced, { message: 'Bad request.' })).toBeUndefined();
	});
});
