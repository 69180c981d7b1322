import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { FROM_V3 } from '../common.description';
import * as complete from './complete.operation';

/** This resource's entry in the node's Resource list (version 3). */
export const resource: INodePropertyOptions = {
	name: 'Chat',
	value: 'chat',
	description: 'Ask questions and get answers with citations',
};

export const operations = { complete };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'], ...FROM_V3 } },
		options: [
			{
				name: 'Create Chat Completion',
				value: 'complete',
				action: 'Create a chat completion',
				description: 'Ask Perplexity and get an answer with citations',
			},
		],
		default: 'complete',
	},
	...complete.description,
];
