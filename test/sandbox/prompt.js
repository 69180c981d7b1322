// @ts-check
'use strict';

/**
 * Reads prompts out of request bodies of either API before (and whether or not) they validate: the
 * request log and fault matching need the prompt even for requests that end in a 400.
 */

/** @param {unknown} v @returns {v is Record<string, any>} */
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Text of one message content: a string, or the text parts of a parts array (Agent `input_text`
 * and Sonar `text` parts both carry `text`).
 * @param {unknown} content
 */
function contentText(content) {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	let text = '';
	for (const part of content) {
		if (isObject(part) && typeof part.text === 'string')
			text += text ? `\n${part.text}` : part.text;
	}
	return text;
}

/** @param {Record<string, any>} body @returns {unknown[] | null} */
function messagesOf(body) {
	if (Array.isArray(body.input)) return body.input;
	if (Array.isArray(body.messages)) return body.messages;
	return null;
}

/**
 * The texts of an embeddings request: `input` as a list of strings, or (contextualized) a list of
 * documents that are lists of strings. Null for any other body.
 * @param {Record<string, any>} body
 * @returns {string[] | null}
 */
function embeddingTexts(body) {
	if (!Array.isArray(body.input)) return null;
	const texts = body.input.flat();
	return texts.length > 0 && texts.every((t) => typeof t === 'string') ? texts : null;
}

/**
 * The Search API's query, one string or several.
 * @param {Record<string, any>} body
 * @returns {string[] | null}
 */
function queriesOf(body) {
	if (typeof body.query === 'string') return [body.query];
	if (Array.isArray(body.query)) return body.query.filter((q) => typeof q === 'string');
	return null;
}

/**
 * The text the sandbox answers: the last user message, the Agent API's bare `input` string, or
 * the Search API's queries, one a line. For embeddings, every text of the request, one a line.
 * Falls back to the last message of any role so a conversation without a user turn still answers.
 * @param {unknown} body
 * @returns {string | null}
 */
function promptOf(body) {
	if (!isObject(body)) return null;
	if (typeof body.input === 'string') return body.input;
	const texts = embeddingTexts(body);
	if (texts) return texts.join('\n');
	const queries = queriesOf(body);
	if (queries) return queries.join('\n');
	const list = messagesOf(body);
	if (!list || list.length === 0) return null;
	for (let i = list.length - 1; i >= 0; i--) {
		const m = list[i];
		if (isObject(m) && m.role === 'user') return contentText(m.content);
	}
	const last = list[list.length - 1];
	return isObject(last) ? contentText(last.content) : null;
}

/**
 * Every piece of prompt text in a body (instructions, all messages, every text to embed), for
 * directive scanning.
 * @param {unknown} body
 * @param {(text: string) => void} visit
 */
function forEachText(body, visit) {
	if (!isObject(body)) return;
	if (typeof body.instructions === 'string') visit(body.instructions);
	if (typeof body.input === 'string') visit(body.input);
	for (const q of queriesOf(body) ?? []) visit(q);
	const texts = embeddingTexts(body);
	if (texts) {
		for (const text of texts) visit(text);
		return;
	}
	for (const m of messagesOf(body) ?? []) {
		if (isObject(m)) visit(contentText(m.content));
	}
}

/**
 * Total characters of everything the model would read, the basis of input token counts.
 * @param {unknown} body
 */
function inputChars(body) {
	let n = 0;
	forEachText(body, (t) => (n += t.length));
	return n;
}

module.exports = { isObject, contentText, promptOf, forEachText, inputChars };
