import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { PerplexityClient } from '../../transport/client';
import { REQUEST_LIMITS, utf8Bytes } from './batching';
import { embedItems, type EmbeddingEndpoint } from './embed';
import { embeddingOptions, embeddingRequestOptions, modelLocator } from './embeddings.description';
import { CONTEXTUALIZED_EMBEDDING_MODELS, EMBEDDING_MODELS } from './models';
import { contextualizedEmbeddingsOf } from './responses';
import { readChunks } from './settings';
import { CONTEXTUALIZED_EMBEDDINGS_ENDPOINT } from './wireFields';

const PER_REQUEST = 'Max Documents per Request';

const properties: INodeProperties[] = [
	modelLocator(CONTEXTUALIZED_EMBEDDING_MODELS, 'searchContextualizedEmbeddingModels'),
	{
		displayName: 'Chunks',
		name: 'chunks',
		type: 'json',
		required: true,
		default: '[]',
		description:
			"The chunks of one document, in order: each item is one document. Each chunk's vector also reflects the rest of its document.",
		hint: 'A list of texts, e.g. {{ $json.chunks }}, or JSON such as ["first chunk", "second chunk"]',
	},
	embeddingOptions,
	embeddingRequestOptions(PER_REQUEST, 'documents'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['embeddings'], operation: ['createContextualized'] } },
	properties,
);

/**
 * POST /v1/contextualizedembeddings: each item is one document, one `input` entry with its chunks;
 * a document is never split across requests, since its chunks are embedded in its context.
 */
const endpoint: EmbeddingEndpoint = {
	path: '/v1/contextualizedembeddings',
	wire: CONTEXTUALIZED_EMBEDDINGS_ENDPOINT,
	family: {
		models: CONTEXTUALIZED_EMBEDDING_MODELS,
		others: EMBEDDING_MODELS,
		otherOperation: 'Create Embeddings',
	},
	perRequest: PER_REQUEST,
	readInput: (context, itemIndex) => ({
		texts: readChunks(context.getNodeParameter('chunks', itemIndex, '')),
		single: false,
	}),
	units: (texts, itemIndex) => [
		{ itemIndex, first: 0, texts, bytes: texts.reduce((sum, text) => sum + utf8Bytes(text), 0) },
	],
	limits: {
		texts: REQUEST_LIMITS.chunks,
		bytes: REQUEST_LIMITS.tokens,
		aloneAbove: REQUEST_LIMITS.tokensPerInput,
	},
	input: (units) => units.map(({ texts }) => texts),
	embeddings: (body, units) =>
		contextualizedEmbeddingsOf(
			body,
			units.map(({ texts }) => texts.length),
		),
};

export async function execute(
	this: IExecuteFunctions,
	client: PerplexityClient,
	secrets: string[],
): Promise<INodeExecutionData[][]> {
	return await embedItems(this, client, secrets, endpoint);
}
