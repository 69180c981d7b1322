import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { addRunTotals } from '../../helpers/runTotals';
import type { WireEndpoint } from '../../helpers/wireFields';
import { callOptionsOf, type PerplexityClient } from '../../transport/client';
import type { ApiFailure } from '../../transport/failures';
import { failureToNodeApiError } from '../../transport/nodeErrors';
import { type Batch, inputErrorFor, readExecutionSettings, runBatches } from '../runItems';
import { describeItems, pack, type PackLimits, type Unit } from './batching';
import { fullDimensions } from './models';
import { itemOutput, type Mismatch } from './responses';
import {
	type EmbeddingSettings,
	type ModelFamily,
	readMaxPerRequest,
	requestBody,
	resolveEmbeddingSettings,
	settingsKey,
} from './settings';
import { decodeEmbedding } from './vectors';

/** What sets the two embeddings operations apart; the rest of their run is the same. */
export interface EmbeddingEndpoint {
	path: string;
	/** Its name and evidence table, for an error about a field it refuses. */
	wire: WireEndpoint;
	family: ModelFamily;
	/** The Request Option that caps a request: Max Texts (or Documents) per Request. */
	perRequest: string;
	/** One item's texts; `single` when its Text was one text rather than a list. */
	readInput(context: IExecuteFunctions, itemIndex: number): { texts: string[]; single: boolean };
	/** What of one item's texts must share a request: each text alone, or the whole document. */
	units(texts: string[], itemIndex: number): Unit[];
	/** The API's limits per request, besides the number of units. */
	limits: Omit<PackLimits, 'units'>;
	/** The request's `input`. */
	input(units: readonly Unit[]): string[] | string[][];
	/** The answer's base64 embeddings, per unit and per text of it. */
	embeddings(body: IDataObject, units: readonly Unit[]): unknown[][] | Mismatch;
}

interface PreparedItem {
	settings: EmbeddingSettings;
	texts: string[];
	single: boolean;
}

const mismatch = (problem: string): ApiFailure => ({
	kind: 'malformed',
	message: `The embeddings Perplexity sent do not fit the texts sent: ${problem}`,
	retryable: false,
});

/**
 * Embeds every item's texts: items with the same Model and Options share requests, packed as full
 * as the API's limits allow; requests run through the shared item loop and transport (concurrency,
 * retries, rate gate), and each vector goes back to its item, at its text's position.
 */
export async function embedItems(
	context: IExecuteFunctions,
	client: PerplexityClient,
	secrets: string[],
	endpoint: EmbeddingEndpoint,
): Promise<INodeExecutionData[][]> {
	const { execution, requestOptions } = readExecutionSettings(context);
	let maxPerRequest: number;
	let addTotals: boolean;
	try {
		maxPerRequest = readMaxPerRequest(requestOptions, endpoint.perRequest);
		// A setting of the run, as Request Options are: read from the first item.
		addTotals = context.getNodeParameter('options.addRunTotals', 0, false) === true;
	} catch (error) {
		throw inputErrorFor(context, error, 0);
	}
	const node = context.getNode();

	const items = new Map<number, PreparedItem>();
	const vectors = new Map<number, number[][]>();
	const models = new Map<number, string>();
	/** The `usage` of every answer, for Add Run Totals: usage is per request, not per item. */
	const usages: unknown[] = [];

	const prepare = (itemIndex: number): PreparedItem => {
		const settings = resolveEmbeddingSettings(
			{
				model: context.getNodeParameter('model', itemIndex, '', { extractValue: true }),
				options: context.getNodeParameter('options', itemIndex, {}) as IDataObject,
			},
			endpoint.family,
		);
		return { settings, ...endpoint.readInput(context, itemIndex) };
	};

	/** Decodes a whole answer first, so that an answer with one bad vector stores nothing. */
	const store = (settings: EmbeddingSettings, units: readonly Unit[], body: IDataObject) => {
		const embeddings = endpoint.embeddings(body, units);
		if (!Array.isArray(embeddings)) return mismatch(embeddings.problem);
		const size = settings.dimensions ?? fullDimensions(settings.model);
		const decoded: number[][][] = [];
		for (const encoded of embeddings) {
			const unit: number[][] = [];
			for (const embedding of encoded) {
				const vector = decodeEmbedding(embedding, settings.format, size);
				if (!Array.isArray(vector)) return mismatch(vector.problem);
				unit.push(vector);
			}
			decoded.push(unit);
		}
		const model = typeof body.model === 'string' ? body.model : settings.model;
		units.forEach(({ itemIndex, first }, u) => {
			const own = vectors.get(itemIndex) as number[][];
			decoded[u].forEach((vector, k) => (own[first + k] = vector));
			models.set(itemIndex, model);
		});
		return undefined;
	};

	const batchOf = (settings: EmbeddingSettings, units: Unit[]): Batch => {
		const carried = [...new Set(units.map(({ itemIndex }) => itemIndex))];
		return {
			items: carried,
			async send() {
				const body = requestBody(settings, endpoint.input(units));
				const result = await client.call(
					{ method: 'POST', path: endpoint.path, body, endpoint: endpoint.wire },
					callOptionsOf(execution),
				);
				// An answer the node cannot use still reported its usage; a failed request reports none.
				if (result.ok && addTotals) usages.push(result.body.usage);
				const failure = result.ok ? store(settings, units, result.body) : result.failure;
				if (!failure) return undefined;
				const note =
					carried.length > 1
						? `The same request carried the texts of ${describeItems(carried)}, and each of them fails with it.`
						: undefined;
				return (itemIndex) => {
					const error = failureToNodeApiError(node, failure, result.attempts, itemIndex, secrets);
					if (note) error.description = [error.description, note].filter(Boolean).join(' ');
					return error;
				};
			},
		};
	};

	const plan = (ready: Array<{ itemIndex: number; value: PreparedItem }>): Batch[] => {
		const groups = new Map<string, { settings: EmbeddingSettings; units: Unit[] }>();
		for (const { itemIndex, value } of ready) {
			items.set(itemIndex, value);
			vectors.set(itemIndex, new Array<number[]>(value.texts.length));
			const key = settingsKey(value.settings);
			const group = groups.get(key) ?? { settings: value.settings, units: [] };
			groups.set(key, group);
			group.units.push(...endpoint.units(value.texts, itemIndex));
		}
		const limits = { units: maxPerRequest, ...endpoint.limits };
		return [...groups.values()].flatMap(({ settings, units }) =>
			pack(units, limits).map((request) => batchOf(settings, request)),
		);
	};

	const finish = (itemIndex: number): IDataObject => {
		const { texts, single, settings } = items.get(itemIndex) as PreparedItem;
		const output = itemOutput(texts, vectors.get(itemIndex) as number[][], {
			single,
			includeText: settings.includeText,
			model: models.get(itemIndex) ?? settings.model,
		});
		items.delete(itemIndex);
		vectors.delete(itemIndex);
		return output;
	};

	const results = await runBatches(context, execution, prepare, plan, finish);
	return addTotals ? [addRunTotals(results[0], usages)] : results;
}
