import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resourceProperties } from './actions/resources';
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
		// that asks the agent for a question. Version 3: the Resource selector. Saved workflows keep
		// the version they were saved with, and it works as they know it.
		version: [1, 2, 3],
		defaultVersion: 3,
		// n8n hands the subtitle a resource locator already resolved to its value.
		subtitle:
			'={{ $parameter["operation"] === "getResponse" ? "Get Response" : $parameter["operation"] === "search" ? "Search" : $parameter["model"] }}',
		description: NODE_DESCRIPTION,
		defaults: { name: 'Perplexity Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [...toolDescriptionProperties, ...resourceProperties],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
