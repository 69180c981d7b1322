import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { FROM_V3 } from '../common.description';
import * as search from './search.operation';

/** This resource's entry in the node's Resource list (version 3). */
export const resource: INodePropertyOptions = {
	name: 'Search',
	value: 'search',
	description: 'Search the web and get ranked results with snippets, without an answer',
};

export const operations = { search };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['search'], ...FROM_V3 } },
		options: [
			{
				name: 'Search',
				value: 'search',
				action: 'Search the web',
				description: 'Get ranked web results (title, URL, snippet, dates) for one or more queries',
			},
		],
		default: 'search',
	},
	...search.description,
];
