import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { editorLimitsOf } from '../../helpers/ranges';
import { callOptionsOf, type PerplexityClient } from '../../transport/client';
import { failureToNodeApiError } from '../../transport/nodeErrors';
import { requestOptionsForRequests } from '../common.description';
import { readExecutionSettings, runItems } from '../runItems';
import { alphabetical, languageFilterOption, webFilterOptions } from '../webFilters.description';
import {
	buildSearchRequest,
	MAX_QUERIES,
	type RawSearchParameters,
	resolveSearchSettings,
	SEARCH_PATH,
	SEARCH_RANGES,
} from './request';
import { answerItem, noResultsMessage, pagesOf } from './results';
import { SEARCH_ENDPOINT } from './wireFields';

type OutputMode = 'perResult' | 'perInput';

const properties: INodeProperties[] = [
	{
		displayName: 'Queries',
		name: 'queries',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Query',
		default: { values: [{ query: '' }] },
		description: `What to search the web for. Several queries (at most ${MAX_QUERIES}) go in one request and give one list of results.`,
		options: [
			{
				displayName: 'Query',
				name: 'values',
				values: [
					{
						displayName: 'Query',
						name: 'query',
						type: 'string',
						default: '',
						placeholder: 'e.g. fusion energy breakthroughs 2026',
						description:
							'One search query. An expression that gives a list of texts counts as one query per entry.',
					},
				],
			},
		],
	},
	{
		displayName: 'Max Results',
		name: 'maxResults',
		type: 'number',
		typeOptions: editorLimitsOf(SEARCH_RANGES.maxResults),
		default: 10,
		description: 'How many results to return, from 1 to 20',
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'One Item per Result',
				value: 'perResult',
				description:
					'Each result (title, URL, snippet, dates, query) is an item of its own, paired to its input item. An input item whose search finds nothing gives no item.',
			},
			{
				name: 'One Item per Input',
				value: 'perInput',
				description: "One item per input item with Perplexity's answer: its results as a list",
			},
		],
		default: 'perResult',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: alphabetical([
			...webFilterOptions,
			languageFilterOption,
			{
				displayName: 'Country',
				name: 'country',
				type: 'string',
				default: '',
				placeholder: 'e.g. US',
				description: 'Prefer results from this country (two-letter ISO 3166-1 code)',
			},
			{
				displayName: 'Max Tokens',
				name: 'maxTokens',
				type: 'number',
				typeOptions: editorLimitsOf(SEARCH_RANGES['options.maxTokens']),
				default: 10000,
				description:
					"The most tokens of page text in all results together (Perplexity's default: 10,000)",
			},
			{
				displayName: 'Max Tokens per Page',
				name: 'maxTokensPerPage',
				type: 'number',
				typeOptions: editorLimitsOf(SEARCH_RANGES['options.maxTokensPerPage']),
				default: 4096,
				description: "The most tokens of text taken from each page (Perplexity's default: 4,096)",
			},
		]),
	},
	{
		displayName: 'Request Options',
		name: 'requestOptions',
		type: 'collection',
		placeholder: 'Add Request Option',
		default: {},
		options: requestOptionsForRequests,
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['search'], operation: ['search'] } },
	properties,
);

interface PreparedSearch {
	queries: string[];
	body: IDataObject;
}

function readSearchParameters(context: IExecuteFunctions, itemIndex: number): RawSearchParameters {
	return {
		queries: context.getNodeParameter('queries', itemIndex, {}),
		maxResults: context.getNodeParameter('maxResults', itemIndex, 10),
		options: context.getNodeParameter('options', itemIndex, {}) as IDataObject,
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: PerplexityClient,
	secrets: string[],
): Promise<INodeExecutionData[][]> {
	const { execution } = readExecutionSettings(this);
	const node = this.getNode();

	// Not an expression (noDataExpression): the same for every item.
	const output = this.getNodeParameter('output', 0, 'perResult') as OutputMode;
	const prepare = (itemIndex: number): PreparedSearch => {
		const settings = resolveSearchSettings(readSearchParameters(this, itemIndex));
		return {
			queries: settings.queries,
			body: buildSearchRequest(settings),
		};
	};

	const foundNothing: number[] = [];
	const result = await runItems(this, execution, prepare, async (prepared, itemIndex) => {
		const { queries, body } = prepared;
		const answer = await client.call(
			{ method: 'POST', path: SEARCH_PATH, body, endpoint: SEARCH_ENDPOINT },
			callOptionsOf(execution),
		);
		if (!answer.ok) {
			return failureToNodeApiError(node, answer.failure, answer.attempts, itemIndex, secrets);
		}
		const pages = pagesOf(answer.body, queries);
		if (pages === undefined) {
			const failure = {
				kind: 'malformed' as const,
				message: 'The answer is not a Search API answer: it has no list of results',
				retryable: false,
			};
			return failureToNodeApiError(node, failure, answer.attempts, itemIndex, secrets);
		}
		if (output === 'perInput') return answerItem(answer.body, queries);
		if (pages.length === 0) foundNothing.push(itemIndex);
		return pages;
	});

	// An input item without results leaves no item behind; the output panel says which ones.
	if (foundNothing.length > 0) {
		this.addExecutionHints({ message: noResultsMessage(foundNothing), location: 'outputPane' });
	}
	return result;
}
