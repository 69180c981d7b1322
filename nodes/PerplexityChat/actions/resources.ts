import type {
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import type { PerplexityClient } from '../transport/client';
import * as chat from './chat/chat.resource';
import { FROM_V3, UP_TO_V2 } from './common.description';
import * as response from './response/response.resource';

export interface Operation {
	description: INodeProperties[];
	execute(
		this: IExecuteFunctions,
		client: PerplexityClient,
		secrets: string[],
	): Promise<INodeExecutionData[][]>;
}

interface Resource {
	resource: INodePropertyOptions;
	operations: Record<string, Operation>;
	description: INodeProperties[];
}

/**
 * Every resource of the node, in the order of its Resource list. A resource is a folder under
 * actions/ whose `*.resource.ts` names it and lists its operations; adding one is one line here.
 */
export const resources: Record<string, Resource> = { chat, response };

/** Versions 1 and 2 have no Resource parameter: their operations each belong to one resource. */
const RESOURCE_OF_V2_OPERATION: Record<string, string> = {
	complete: 'chat',
	getResponse: 'response',
};

export function resourceOf(node: INode, operation: string, resourceParameter: () => string) {
	return node.typeVersion >= 3 ? resourceParameter() : RESOURCE_OF_V2_OPERATION[operation];
}

export const resourceProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: FROM_V3 },
		options: Object.values(resources).map(({ resource }) => resource),
		default: 'chat',
	},
	// Versions 1 and 2 as saved: one list, the operation values the later resources kept.
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: UP_TO_V2 },
		options: [
			{
				name: 'Create Chat Completion',
				value: 'complete',
				action: 'Create a chat completion',
				description: 'Ask Perplexity and get an answer with citations',
			},
			{
				name: 'Get Response',
				value: 'getResponse',
				action: 'Get a response',
				description: 'Fetch an Agent API response by ID, e.g. a background research run',
			},
		],
		default: 'complete',
	},
	...Object.values(resources).flatMap(({ description }) => description),
];
