import type { WireEndpoint, WireTable } from '../../helpers/wireFields';

/**
 * Every field the embeddings operations send, with its evidence (the letters of
 * helpers/wireFields.ts). No recorded request exists for these endpoints, so nothing is R:
 * - S: the official SDK's request types, perplexityai/perplexity-node 0.38.1 (commit 1110dc1),
 *   src/generated/api.ts: `EmbeddingsRequestInput` (embeddings.create) and
 *   `ContextualizedEmbeddingsRequestInput` (contextualizedEmbeddings.create);
 * - N: n8n's built-in Perplexity node, packages/nodes-base/nodes/Perplexity/descriptions/embeddings/
 *   createEmbedding.operation.ts and createContextualized.operation.ts;
 * - D: Perplexity's published OpenAPI document, `EmbeddingsRequest` and
 *   `ContextualizedEmbeddingsRequest` (../shared/reference/perplexity-openapi.json).
 *
 * Where they differ: n8n's Create Contextualized offers `encoding_format: "float"`, which neither
 * the SDK nor the OpenAPI document has; the node does not send it. The SDK and the OpenAPI
 * document agree on every field and value here. test/unit/embeddings-requests.test.ts builds the
 * bodies of both operations, at their defaults and with each option, and checks every field.
 */
export const EMBEDDINGS_WIRE_FIELDS: WireTable = {
	input: {
		evidence: ['S', 'N', 'D'],
		source:
			'S: EmbeddingsRequestInput.input (string | string[]); N: input (string[], one per line); D: EmbeddingsRequest.input (1-512 texts)',
		option: 'Text',
	},
	model: {
		evidence: ['S', 'N', 'D'],
		source:
			'S: EmbeddingsRequestInput.model ("pplx-embed-v1-0.6b" | "pplx-embed-v1-4b"); N: model; D: EmbeddingsRequest.model',
		option: 'Model',
	},
	dimensions: {
		evidence: ['S', 'N', 'D'],
		source:
			'S: EmbeddingsRequestInput.dimensions; N: options.dimensions (left out at 0); D: EmbeddingsRequest.dimensions (128-2560)',
		option: 'Options → Dimensions',
	},
	encoding_format: {
		evidence: ['S', 'N', 'D'],
		source:
			'S: EmbeddingsRequestInput.encoding_format ("base64_int8" | "base64_binary"); N: options.encoding_format; D: EmbeddingsRequest.encoding_format',
		option: 'Options → Encoding Format (always sent: the node decodes by it)',
	},
};

export const CONTEXTUALIZED_EMBEDDINGS_WIRE_FIELDS: WireTable = {
	input: {
		evidence: ['S', 'N', 'D'],
		source:
			'S: ContextualizedEmbeddingsRequestInput.input (string[][]); N: input (JSON documents of chunks); D: ContextualizedEmbeddingsRequest.input (1-512 documents)',
		option: 'Chunks (one document per item)',
	},
	model: {
		evidence: ['S', 'N', 'D'],
		source:
			'S: ContextualizedEmbeddingsRequestInput.model ("pplx-embed-context-v1-0.6b" | "pplx-embed-context-v1-4b"); N: model (4b only); D: ContextualizedEmbeddingsRequest.model',
		option: 'Model',
	},
	dimensions: {
		evidence: ['S', 'N', 'D'],
		source:
			'S: ContextualizedEmbeddingsRequestInput.dimensions; N: options.dimensions; D: ContextualizedEmbeddingsRequest.dimensions (128-2560)',
		option: 'Options → Dimensions',
	},
	encoding_format: {
		evidence: ['S', 'N', 'D'],
		source:
			'S: ContextualizedEmbeddingsRequestInput.encoding_format ("base64_int8" | "base64_binary"); N: options.encoding_format (also "float", in neither S nor D); D: ContextualizedEmbeddingsRequest.encoding_format',
		option: 'Options → Encoding Format (always sent: the node decodes by it)',
	},
};

/** The endpoints as an error names them, when one refuses a field the node sent. */
export const EMBEDDINGS_ENDPOINT: WireEndpoint = {
	name: 'the Embeddings API',
	table: EMBEDDINGS_WIRE_FIELDS,
};

export const CONTEXTUALIZED_EMBEDDINGS_ENDPOINT: WireEndpoint = {
	name: 'the Contextualized Embeddings API',
	table: CONTEXTUALIZED_EMBEDDINGS_WIRE_FIELDS,
};
