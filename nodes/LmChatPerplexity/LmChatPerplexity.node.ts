import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../PerplexityChat/helpers/constants';
import { InputError } from '../PerplexityChat/helpers/inputError';
import { listSearch } from '../PerplexityChat/methods';
import { PerplexityClient } from '../PerplexityChat/transport/client';
import { modelProperties } from './description';
import { type ModelSettings, resolveModelSettings } from './helpers/settings';
import { perplexityChatModelClass } from './model';
import { loadAiNodeSdk } from './sdk';

export class LmChatPerplexity implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Perplexity Chat Model',
		name: 'lmChatPerplexity',
		icon: {
			light: 'file:../PerplexityChat/perplexity.svg',
			dark: 'file:../PerplexityChat/perplexity.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["model"].value }}',
		description:
			'Perplexity as the model of an AI Agent or chain: web search with sources, tool calling, streaming',
		defaults: { name: 'Perplexity Chat Model' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: modelProperties,
	};

	methods = { listSearch };

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		const node = this.getNode();
		const sdk = await loadAiNodeSdk(node);
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const get = (name: string) => this.getNodeParameter(name, itemIndex, {}) as IDataObject;
		let settings: ModelSettings;
		try {
			settings = resolveModelSettings(
				this.getNodeParameter('model', itemIndex, '', { extractValue: true }),
				get('options'),
				get('searchOptions'),
				get('requestOptions'),
			);
		} catch (error) {
			throw new NodeOperationError(node, error as Error, {
				itemIndex,
				description: error instanceof InputError ? error.hint : undefined,
			});
		}
		const PerplexityChatModel = perplexityChatModelClass(sdk);
		const model = new PerplexityChatModel({
			client: new PerplexityClient(this, credentials),
			node,
			settings,
			secrets: [String(credentials.apiKey ?? '')],
		});
		return sdk.supplyModel(this, model);
	}
}
