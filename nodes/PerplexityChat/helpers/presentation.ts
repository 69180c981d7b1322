import type { IDataObject } from 'n8n-workflow';

/**
 * How a finished chat completion is laid out for whoever reads the item:
 * - `completion`: the seed's chat completion as version 1 outputs it;
 * - `answerFirst`: the same fields, with the answer as `content` first, so that n8n's Table and
 *   JSON views show it before ids and search results;
 * - `tool`: what an AI Agent needs from a tool: the answer, its sources and why it stopped.
 */
export type Presentation = 'completion' | 'answerFirst' | 'tool';

interface Choice {
	finish_reason?: unknown;
	message?: { content?: unknown; parsed?: unknown };
}

function firstChoice(output: IDataObject): Choice | undefined {
	return Array.isArray(output.choices) ? (output.choices[0] as Choice | undefined) : undefined;
}

/** Items without choices (Simplify, a background run not finished yet) pass unchanged. */
export function present(output: IDataObject, presentation: Presentation): IDataObject {
	const choice = firstChoice(output);
	if (presentation === 'completion' || choice === undefined) return output;
	const content = typeof choice.message?.content === 'string' ? choice.message.content : '';
	if (presentation === 'tool') {
		const answer: IDataObject = {
			content,
			citations: output.citations,
			finish_reason: choice.finish_reason ?? null,
		};
		if (choice.message?.parsed !== undefined) answer.parsed = choice.message.parsed as IDataObject;
		return answer;
	}
	const { id, model, object, created, citations, choices, usage, ...rest } = output;
	return { content, citations, id, model, object, created, choices, usage, ...rest };
}
