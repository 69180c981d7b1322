import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { PerplexityClient } from '../../transport/client';
import { REQUEST_LIMITS, utf8Bytes } from './batching';
import { embedItems, type EmbeddingEndpoint } from './embed';
import { embeddingOptions, embeddingRequestOptions, modelLocator } from './embeddings.description';
import { CONTEXTUALIZED_EMBEDDING_MODELS, EMBEDDING_MODELS } from './models';
import { embeddingsOf } from './responses';
import { readTexts } from './settings';
import { EMBEDDINGS_ENDPOINT } from './wireFields';

const PER_REQUEST = 'Max Texts per Request';

const properties: INodeProperties[] = [
	modelLocator(EMBEDDING_MODELS, 'searchEmbeddingModels'),
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 2 },
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.text }}',
		description: 'The text to embed. An expression that gives a list of texts embeds each of them.',
		hint: 'An expression such as {{ $json.chunks }} gives a list of texts. The texts of many items go in one request.',
	},
	embeddingOptions,
	embeddingRequestOptions(PER_REQUEST, 'texts'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['embeddings'], operation: ['create'] } },
	properties,
);

/** POST /v1/embeddings: every text is one `input` entry, packed with the texts of other items. */
const endpoint: EmbeddingEndpoint = {
	path: '/v1/embeddings',
	wire: EMBEDDINGS_ENDPOINT,
	family: {
		models: EMBEDDING_MODELS,
		others: CONTEXTUALIZED_EMBEDDING_MODELS,
		otherOperation: 'Create Contextualized Embeddings',
	},
	perRequest: PER_REQUEST,
	readInput: (context, itemIndex) => readTexts(context.getNodeParameter('text', itemIndex, '')),
	units: (texts, itemIndex) =>
		texts.map((text, first) => ({ itemIndex, first, texts: [text], bytes: utf8Bytes(text) })),
	limits: {
		texts: REQUEST_LIMITS.inputs,
		bytes: REQUEST_LIMITS.tokens,
		aloneAbove: REQUEST_LIMITS.tokensPerInput,
	},
	input: (units) => units.map(({ texts }) => texts[0]),
	embeddings: (body, units) => {
		const embeddings = embeddingsOf(body, units.length);
		return Array.isArray(embeddings) ? embeddings.map((embedding) => [embedding]) : embeddings;
	},
};

export async function execute(
	this: IExecuteFunctions,
	client: PerplexityClient,
	secrets: string[],
): Promise<INodeExecutionData[][]> {
	return await embedItems(this, client, secrets, endpoint);
}
