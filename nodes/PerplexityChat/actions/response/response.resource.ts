import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { FROM_V3 } from '../common.description';
import * as getResponse from './getResponse.operation';

/** This resource's entry in the node's Resource list (version 3). */
export const resource: INodePropertyOptions = {
	name: 'Response',
	value: 'response',
	description: 'Fetch Agent API responses, e.g. background research runs',
};

export const operations = { getResponse };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['response'], ...FROM_V3 } },
		options: [
			{
				name: 'Get',
				value: 'getResponse',
				action: 'Get a response',
				description: 'Fetch an Agent API response by ID, e.g. a background research run',
			},
		],
		default: 'getResponse',
	},
	...getResponse.description,
];
