import type { IDataObject } from 'n8n-workflow';

import type { ChatCompletion, OutputSettings } from './interfaces';

export const TERMINAL_AGENT_STATUSES = ['completed', 'incomplete', 'failed', 'cancelled'];

function asObject(value: unknown): IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: {};
}

function asArray(value: unknown): IDataObject[] {
	return Array.isArray(value)
		? (value.filter((entry) => entry && typeof entry === 'object') as IDataObject[])
		: [];
}

/** The text of an Agent response: every output_text part of every message item, in order. */
export function agentOutputText(response: IDataObject): string {
	let text = '';
	for (const item of asArray(response.output)) {
		if (item.type !== 'message') continue;
		for (const part of asArray(item.content)) {
			if (part.type === 'output_text' && typeof part.text === 'string') text += part.text;
		}
	}
	return text;
}

/** The results of every search_results item; the answer's [n] markers refer to them. */
export function agentSearchResults(response: IDataObject): IDataObject[] {
	return asArray(response.output)
		.filter((item) => item.type === 'search_results')
		.flatMap((item) => asArray(item.results));
}

function agentFinishReason(response: IDataObject): string | null {
	if (response.status === 'completed') return 'stop';
	if (response.status !== 'incomplete') return null;
	const reason = asObject(response.incomplete_details).reason;
	return reason === undefined || reason === 'max_output_tokens' ? 'length' : String(reason);
}

/** Agent usage names whose meaning the chat-completion output has under another name. */
const AGENT_USAGE_NAMES: Readonly<Record<string, string>> = {
	input_tokens_details: 'prompt_tokens_details',
};
const AGENT_COST_NAMES: Readonly<Record<string, string>> = {
	input_cost: 'input_tokens_cost',
	output_cost: 'output_tokens_cost',
};

function renamed(object: IDataObject, names: Readonly<Record<string, string>>): IDataObject {
	return Object.fromEntries(
		Object.entries(object).map(([key, value]) => [names[key] ?? key, value]),
	);
}

/**
 * Agent usage under the chat-completion names where the meaning is the same on both APIs
 * (tokens in and out, reasoning tokens, input and output cost); everything else the API sends,
 * known or not (cached tokens, tool calls, cache and tool costs, currency), is kept as it came.
 */
function agentUsage(usage: IDataObject): IDataObject {
	const {
		input_tokens: input,
		output_tokens: output,
		total_tokens: total,
		output_tokens_details: outputDetails,
		cost,
		...rest
	} = usage;
	const mapped: IDataObject = {
		prompt_tokens: input ?? 0,
		completion_tokens: output ?? 0,
		total_tokens: total ?? Number(input ?? 0) + Number(output ?? 0),
		...renamed(rest, AGENT_USAGE_NAMES),
	};
	const { reasoning_tokens: reasoningTokens, ...otherOutputDetails } = asObject(outputDetails);
	if (reasoningTokens !== undefined) mapped.reasoning_tokens = reasoningTokens;
	if (Object.keys(otherOutputDetails).length > 0) {
		mapped.completion_tokens_details = otherOutputDetails;
	}
	if (cost !== undefined) {
		mapped.cost =
			cost !== null && typeof cost === 'object' && !Array.isArray(cost)
				? renamed(cost as IDataObject, AGENT_COST_NAMES)
				: cost;
	}
	return mapped;
}

/** An Agent API response in the seed's chat-completion shape. */
export function mapAgentResponse(response: IDataObject): ChatCompletion {
	const searchResults = agentSearchResults(response);
	return {
		id: String(response.id ?? ''),
		model: String(response.model ?? ''),
		object: 'chat.completion',
		created: Number(response.created_at ?? response.completed_at ?? 0),
		citations: searchResults
			.map((result) => result.url)
			.filter((url): url is string => typeof url === 'string'),
		search_results: searchResults,
		choices: [
			{
				index: 0,
				finish_reason: agentFinishReason(response),
				message: { role: 'assistant', content: agentOutputText(response) },
			},
		],
		usage: agentUsage(asObject(response.usage)),
	};
}

/** A Sonar chat completion with the seed's fields always present. */
export function normalizeSonarResponse(response: IDataObject): ChatCompletion {
	const choices = asArray(response.choices).map((choice, index) => {
		const message = asObject(choice.message);
		return {
			index: typeof choice.index === 'number' ? choice.index : index,
			finish_reason: (choice.finish_reason as string | null | undefined) ?? null,
			message: {
				role: String(message.role ?? 'assistant'),
				content: typeof message.content === 'string' ? message.content : '',
			},
		};
	});
	const completion: ChatCompletion = {
		id: String(response.id ?? ''),
		model: String(response.model ?? ''),
		object: 'chat.completion',
		created: Number(response.created ?? 0),
		citations: Array.isArray(response.citations) ? (response.citations as string[]) : [],
		search_results: asArray(response.search_results),
		choices,
		usage: asObject(response.usage),
	};
	if (Array.isArray(response.images)) completion.images = response.images as IDataObject[];
	if (Array.isArray(response.related_questions)) {
		completion.related_questions = response.related_questions as string[];
	}
	return completion;
}

const THINK_BLOCK = /^\s*<think>([\s\S]*?)<\/think>\s*/;
const CODE_FENCE = /^```(?:json)?\s*([\s\S]*?)\s*```$/;

/**
 * Reasoning models open their answer with a <think> block (also before structured JSON): it moves
 * to message.reasoning so that content is the answer alone. Structured output is parsed into
 * message.parsed; the return value is the text of an answer that should have been JSON and is not.
 */
export function finishCompletion(
	completion: ChatCompletion,
	expectJson: boolean,
): string | undefined {
	let unparsable: string | undefined;
	for (const choice of completion.choices) {
		const { message } = choice;
		const think = THINK_BLOCK.exec(message.content);
		if (think) {
			message.reasoning = think[1].trim();
			message.content = message.content.slice(think[0].length);
		}
		if (expectJson && choice.finish_reason !== 'length') {
			const text = message.content.trim();
			try {
				message.parsed = JSON.parse(CODE_FENCE.exec(text)?.[1] ?? text);
			} catch {
				unparsable ??= message.content;
			}
		}
	}
	return unparsable;
}

/** The flat shape of the Simplify option. */
export function simplifyCompletion(completion: ChatCompletion): IDataObject {
	const [choice] = completion.choices;
	const simple: IDataObject = {
		id: completion.id,
		model: completion.model,
		content: choice?.message.content ?? '',
		citations: completion.citations,
		search_results: completion.search_results,
		finish_reason: choice?.finish_reason ?? null,
		usage: completion.usage,
	};
	if (choice?.message.reasoning !== undefined) simple.reasoning = choice.message.reasoning;
	if (choice?.message.parsed !== undefined) simple.parsed = choice.message.parsed as IDataObject;
	if (completion.images !== undefined) simple.images = completion.images;
	if (completion.related_questions !== undefined)
		simple.related_questions = completion.related_questions;
	return simple;
}

export function completionOutput(
	completion: ChatCompletion,
	raw: IDataObject,
	settings: OutputSettings,
): IDataObject {
	const output = settings.simplify
		? simplifyCompletion(completion)
		: (completion as unknown as IDataObject);
	if (settings.includeRawResponse) output.raw_response = raw;
	return output;
}

/** What a background run looks like before it has finished (or when only submitted). */
export function backgroundRunOutput(response: IDataObject): IDataObject {
	return {
		id: response.id,
		object: response.object ?? 'response',
		status: response.status,
		model: response.model,
		created: response.created_at,
	};
}
