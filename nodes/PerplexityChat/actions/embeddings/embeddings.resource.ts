import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { FROM_V3 } from '../common.description';
import * as create from './create.operation';
import * as createContextualized from './createContextualized.operation';

/** This resource's entry in the node's Resource list (version 3). */
export const resource: INodePropertyOptions = {
	name: 'Embeddings',
	value: 'embeddings',
	description: 'Turn texts into vectors for semantic search, clustering and RAG',
};

export const operations = { create, createContextualized };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['embeddings'], ...FROM_V3 } },
		options: [
			{
				name: 'Create Embeddings',
				value: 'create',
				action: 'Create embeddings',
				description: 'Turn each text into a vector',
			},
			{
				name: 'Create Contextualized Embeddings',
				value: 'createContextualized',
				action: 'Create contextualized embeddings',
				description:
					'Turn each chunk of a document into a vector that also reflects the rest of the document',
			},
		],
		default: 'create',
	},
	...create.description,
	...createContextualized.description,
];
