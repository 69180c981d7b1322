import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

/**
 * The embedding models Perplexity publishes: the `model` enums of OpenAPI `EmbeddingsRequest` and
 * `ContextualizedEmbeddingsRequest`, the same in the official SDK's `EmbeddingsRequestInput` and
 * `ContextualizedEmbeddingsRequestInput` (perplexityai/perplexity-node 0.38.1,
 * src/generated/api.ts). Full sizes from the `dimensions` description: "Range: 128-1024 for …-0.6b,
 * 128-2560 for …-4b. Defaults to full dimensions (1024 or 2560)."
 *
 * GET /v1/models is documented as the list of Agent API models, and nothing says it lists these,
 * so the Model list is this table (an assumption: a model Perplexity adds later is typed By ID).
 */
export interface EmbeddingModel {
	value: string;
	/** The vector size without Dimensions, which is also the largest Dimensions allowed. */
	dimensions: number;
	description: string;
}

export const EMBEDDING_MODELS: readonly EmbeddingModel[] = [
	{
		value: 'pplx-embed-v1-4b',
		dimensions: 2560,
		description: 'Larger and more accurate; 2560 dimensions, or 128 to 2560',
	},
	{
		value: 'pplx-embed-v1-0.6b',
		dimensions: 1024,
		description: 'Smaller, faster and cheaper; 1024 dimensions, or 128 to 1024',
	},
];

export const CONTEXTUALIZED_EMBEDDING_MODELS: readonly EmbeddingModel[] = [
	{
		value: 'pplx-embed-context-v1-4b',
		dimensions: 2560,
		description: 'Larger and more accurate; 2560 dimensions, or 128 to 2560',
	},
	{
		value: 'pplx-embed-context-v1-0.6b',
		dimensions: 1024,
		description: 'Smaller, faster and cheaper; 1024 dimensions, or 128 to 1024',
	},
];

/** A known model's full size; undefined for a model ID the node does not know. */
export function fullDimensions(model: string): number | undefined {
	return [...EMBEDDING_MODELS, ...CONTEXTUALIZED_EMBEDDING_MODELS].find(
		({ value }) => value === model,
	)?.dimensions;
}

function listOf(models: readonly EmbeddingModel[], filter?: string): INodeListSearchResult {
	const needle = (filter ?? '').toLowerCase();
	return {
		results: models
			.filter(({ value }) => value.includes(needle))
			.map(({ value, description }) => ({ name: value, value, description })),
	};
}

export async function searchEmbeddingModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return listOf(EMBEDDING_MODELS, filter);
}

export async function searchContextualizedEmbeddingModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	return listOf(CONTEXTUALIZED_EMBEDDING_MODELS, filter);
}
