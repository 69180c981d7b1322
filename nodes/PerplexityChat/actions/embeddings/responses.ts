import type { IDataObject } from 'n8n-workflow';

/** An answer that does not fit the request it answers: what is wrong with it. */
export interface Mismatch {
	problem: string;
}

function entriesByIndex(data: unknown, count: number, what: string): IDataObject[] | Mismatch {
	if (!Array.isArray(data)) return { problem: `it has no list of ${what}` };
	const byIndex = new Array<IDataObject | undefined>(count);
	for (const entry of data as unknown[]) {
		const index = (entry as IDataObject | null)?.index;
		if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
			return { problem: `one of its ${what} has the index ${JSON.stringify(index)}` };
		}
		if (byIndex[index]) return { problem: `two of its ${what} have the index ${index}` };
		byIndex[index] = entry as IDataObject;
	}
	const missing = byIndex.findIndex((entry) => entry === undefined);
	if (missing !== -1) {
		return { problem: `it has no ${what.replace(/s$/, '')} for index ${missing}` };
	}
	return byIndex as IDataObject[];
}

/**
 * The embeddings of POST /v1/embeddings, one per text sent, in the order sent. Pairing goes by each
 * `EmbeddingObject`'s `index` ("The index of the input text this embedding corresponds to"), not by
 * position, and every text must have exactly one.
 */
export function embeddingsOf(body: IDataObject, count: number): unknown[] | Mismatch {
	const entries = entriesByIndex(body.data, count, 'embeddings');
	return Array.isArray(entries) ? entries.map((entry) => entry.embedding) : entries;
}

/**
 * The embeddings of POST /v1/contextualizedembeddings, per document sent and per chunk of it, by
 * the `index` of each `ContextualizedEmbeddingObject` ("The index of the document this chunk
 * belongs to") and of each `EmbeddingObject` inside it.
 */
export function contextualizedEmbeddingsOf(
	body: IDataObject,
	chunks: readonly number[],
): unknown[][] | Mismatch {
	const documents = entriesByIndex(body.data, chunks.length, 'documents');
	if (!Array.isArray(documents)) return documents;
	const out: unknown[][] = [];
	for (const [index, document] of documents.entries()) {
		const entries = entriesByIndex(document.data, chunks[index], 'embeddings');
		if (!Array.isArray(entries)) return { problem: `in document ${index}, ${entries.problem}` };
		out.push(entries.map((entry) => entry.embedding));
	}
	return out;
}

/**
 * One item's output. A Text that was one text gives `embedding`, the vector n8n's vector stores
 * take; a list of texts, and a document's chunks, give `embeddings`, one `{index, text, embedding}`
 * per text in the order given. `text` only with Include Input Text.
 */
export function itemOutput(
	texts: readonly string[],
	vectors: readonly number[][],
	{ single, includeText, model }: { single: boolean; includeText: boolean; model: string },
): IDataObject {
	if (single) {
		return includeText
			? { text: texts[0], embedding: vectors[0], model }
			: { embedding: vectors[0], model };
	}
	const embeddings = vectors.map((embedding, index) =>
		includeText ? { index, text: texts[index], embedding } : { index, embedding },
	);
	return { embeddings, model };
}
