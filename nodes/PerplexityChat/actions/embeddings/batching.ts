/**
 * How texts are packed into requests. The limits are Perplexity's, from the `input` descriptions of
 * OpenAPI `EmbeddingsRequest` / `ContextualizedEmbeddingsRequest` (the same words in the official
 * SDK's `EmbeddingCreateParams` / `ContextualizedEmbeddingCreateParams`, perplexity-node 393ccb6):
 * "Maximum 512 texts per request. Each input must not exceed 32K tokens. All inputs in a single
 * request must not exceed 120,000 tokens combined." and "Maximum 512 documents. Total chunks
 * across all documents must not exceed 16,000. Total tokens per document must not exceed 32K."
 */
export const REQUEST_LIMITS = {
	/** `maxItems` of `input`: texts, or documents. */
	inputs: 512,
	chunks: 16_000,
	tokens: 120_000,
	/** Per text, or per document; "32K" read the strict way. */
	tokensPerInput: 32_000,
};

/**
 * The node has no tokenizer. A text's UTF-8 size in bytes is never below its token count with a
 * byte-level BPE tokenizer (each token is at least one byte), so requests packed by bytes stay
 * within the token limits; ordinary text has about four bytes a token, so this gives away room,
 * never safety. An assumption: Perplexity does not name its tokenizer.
 */
export function utf8Bytes(text: string): number {
	return Buffer.byteLength(text, 'utf8');
}

/** Texts that go into one request together: one text (Create) or one document (Contextualized). */
export interface Unit {
	itemIndex: number;
	/** The position of `texts[0]` among the item's texts. */
	first: number;
	texts: string[];
	/** The UTF-8 bytes of `texts`, together. */
	bytes: number;
}

export interface PackLimits {
	/** Units per request: Max Texts (or Documents) per Request, at most 512. */
	units: number;
	/** Texts per request, across all units. */
	texts: number;
	/** UTF-8 bytes per request (see utf8Bytes). */
	bytes: number;
	/** A unit of more bytes might be over the API's limit per input: it goes in a request alone. */
	aloneAbove: number;
}

/**
 * Packs units, in their order, into as few requests as the limits allow: each request takes the
 * next units while they fit. A unit the API might refuse on its own (more bytes than a text or a
 * document may have tokens, or than a request may have) gets a request to itself, so that a
 * refusal fails only the item it belongs to.
 */
export function pack(units: readonly Unit[], limits: PackLimits): Unit[][] {
	const requests: Unit[][] = [];
	let current: Unit[] = [];
	let texts = 0;
	let bytes = 0;
	const close = () => {
		if (current.length > 0) requests.push(current);
		current = [];
		texts = 0;
		bytes = 0;
	};
	for (const unit of units) {
		if (unit.bytes > limits.aloneAbove || unit.bytes > limits.bytes) {
			close();
			requests.push([unit]);
			continue;
		}
		const fits =
			current.length < limits.units &&
			texts + unit.texts.length <= limits.texts &&
			bytes + unit.bytes <= limits.bytes;
		if (!fits) close();
		current.push(unit);
		texts += unit.texts.length;
		bytes += unit.bytes;
	}
	close();
	return requests;
}

/** "items 3 to 7, 9, 10 and 12": the items of a request, for an error that fails all of them. */
export function describeItems(items: readonly number[]): string {
	const sorted = [...new Set(items)].sort((a, b) => a - b);
	const runs: string[] = [];
	for (let i = 0; i < sorted.length; ) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
		if (j - i >= 2) {
			runs.push(`${sorted[i]} to ${sorted[j]}`);
		} else {
			for (let k = i; k <= j; k++) runs.push(String(sorted[k]));
		}
		i = j + 1;
	}
	const list = runs.length > 1 ? `${runs.slice(0, -1).join(', ')} and ${runs.at(-1)}` : runs[0];
	return `${sorted.length === 1 ? 'item' : 'items'} ${list}`;
}
