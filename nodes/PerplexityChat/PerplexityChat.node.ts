import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as complete from './actions/chat/complete.operation';
import * as getResponse from './actions/chat/getResponse.operation';
import { router } from './actions/router';
import { NODE_DESCRIPTION, toolDescriptionProperties } from './actions/tool.description';
import { CREDENTIAL_TYPE } from './helpers/constants';
import { listSearch } from './methods';

export class PerplexityChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Perplexity Chat',
		name: 'perplexityChat',
		icon: { light: 'file:perplexity.svg', dark: 'file:perplexity.dark.svg' },
		group: ['transform'],
		// Version 2: the seed's settings as parameters, the answer first in the output, and a tool
		// that asks the agent for a question. Version 1 stays as saved workflows know it.
		version: [1, 2],
		defaultVersion: 2,
		// n8n hands the subtitle a resource locator already resolved to its value.
		subtitle:
			'={{ $parameter["operation"] === "getResponse" ? "Get Response" : $parameter["model"] }}',
		description: NODE_DESCRIPTION,
		defaults: { name: 'Perplexity Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [
			...toolDescriptionProperties,
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
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
			...complete.description,
			...getResponse.description,
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
