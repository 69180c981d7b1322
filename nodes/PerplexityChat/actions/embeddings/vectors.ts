/**
 * The two `encoding_format` values Perplexity publishes (OpenAPI `EmbeddingsRequest`, the SDK's
 * `EmbeddingsRequestInput`), and what their base64 strings decode to, per `EmbeddingObject`:
 * "For base64_int8: decode to signed int8 array (length = dimensions). For base64_binary: decode
 * to packed bits (length = dimensions / 8 bytes)."
 */
export const ENCODING_FORMATS = ['base64_int8', 'base64_binary'] as const;
export type EncodingFormat = (typeof ENCODING_FORMATS)[number];

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * One embedding as numbers: for base64_int8 one whole number from -128 to 127 per dimension; for
 * base64_binary one bit per dimension, 0 or 1, the first dimension in the highest bit of the first
 * byte (numpy's packbits order: an assumption, the spec names no bit order). `dimensions`, when
 * known, is the length the vector must have: a binary vector of a size that is not a multiple of
 * 8 drops the padding bits of its last byte. A string that is not such a vector gives the problem.
 */
export function decodeEmbedding(
	encoded: unknown,
	format: EncodingFormat,
	dimensions?: number,
): number[] | { problem: string } {
	if (typeof encoded !== 'string' || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
		return { problem: 'an embedding is not a base64 string' };
	}
	const bytes = Buffer.from(encoded, 'base64');
	if (format === 'base64_int8') {
		if (dimensions !== undefined && bytes.length !== dimensions) {
			return { problem: `an embedding has ${bytes.length} values, not ${dimensions}` };
		}
		return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length));
	}
	const size = dimensions ?? bytes.length * 8;
	if (bytes.length !== Math.ceil(size / 8)) {
		return { problem: `an embedding has ${bytes.length * 8} bits, not ${size}` };
	}
	return Array.from({ length: size }, (_, i) => (bytes[i >> 3] >> (7 - (i & 7))) & 1);
}
