import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from '../../helpers/validation';

/** The query a page answered: one query, or the list when Perplexity does not say which. */
export type AnsweredQuery = string | string[];

/**
 * The pages of an answer, each with the query it answered, in Perplexity's order; undefined when
 * the body is not a Search API answer. The published schema and both SDKs give one list of pages,
 * also for several queries: then every page gets the whole list. Perplexity's docs show one list
 * per query for several queries instead; that shape is read too, each list with its own query.
 */
export function pagesOf(body: IDataObject, queries: string[]): IDataObject[] | undefined {
	const { results } = body;
	if (!Array.isArray(results)) return undefined;
	const grouped = results.length > 0 && results.every(Array.isArray);
	const groups: Array<{ pages: unknown[]; query: AnsweredQuery }> = grouped
		? (results as unknown[][]).map((pages, index) => ({
				pages,
				query: queries[index] ?? queries,
			}))
		: [{ pages: results, query: queries.length === 1 ? queries[0] : queries }];
	const items: IDataObject[] = [];
	for (const { pages, query } of groups) {
		for (const page of pages) {
			if (!isPlainObject(page)) return undefined;
			items.push({
				title: page.title ?? null,
				url: page.url ?? null,
				snippet: page.snippet ?? null,
				date: page.date ?? null,
				last_updated: page.last_updated ?? null,
				query,
			});
		}
	}
	return items;
}

/** One Item per Input: Perplexity's answer as it came, after the query it answered. */
export function answerItem(body: IDataObject, queries: string[]): IDataObject {
	return { query: queries.length === 1 ? queries[0] : queries, ...body };
}

/** What the output panel says when inputs found nothing and so gave no item. */
export function noResultsMessage(itemIndexes: number[]): string {
	const words = [...itemIndexes].sort((a, b) => a - b).map(String);
	const last = words.pop();
	const which =
		words.length === 0
			? `Input item ${last} found no results, so it has no output item.`
			: `Input items ${words.join(', ')} and ${last} found no results, so they have no output items.`;
	return `${which} Set Output to One Item per Input to keep an item for every input.`;
}
