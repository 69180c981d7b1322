// @ts-check
'use strict';

const { stripDirectives } = require('./directives');
const { describeImage } = require('./images');
const { sampleJson } = require('./json-schema');
const { search, titleOf, hash, cap, isoDay, NO_FILTERS } = require('./search');

/**
 * Deterministic, plausible answers: the same prompt and options always give the same text and the
 * same sources (from search.js). The answer quotes the question verbatim so a test can check that
 * a second, chained node really received the first node's output.
 */

/**
 * @typedef {import('./search').SearchOptions} SearchOptions
 * @typedef {import('./search').SearchResult} SearchResult
 * @typedef {import('./images').Image} Image
 * @typedef {{
 *   question: string, topic: string | null, title: string, queries: string[], results: SearchResult[],
 *   text: string, json: boolean,
 * }} Answer
 */

/** Lead-ins followed by a noun phrase, which can then stand in the answer as its topic. */
const NOUN_LEAD_IN =
	/^(?:(?:what|who|which)(?:'s|\s+(?:is|are|was|were))|(?:please\s+)?(?:tell me about|explain|describe|summari[sz]e))\s+/i;

/**
 * The question's subject when it can be read off safely ("What is X?" -> "X"), else null and the
 * answer does without it.
 * @param {string} question
 * @returns {string | null}
 */
function topicOf(question) {
	const firstLine = question.split('\n')[0].trim();
	if (!NOUN_LEAD_IN.test(firstLine)) return null;
	const topic = firstLine
		.replace(NOUN_LEAD_IN, '')
		.replace(/[?.!\s]+$/, '')
		.trim();
	if (!topic || topic.length > 100) return null;
	return topic;
}

/** Short domain names read better in prose than full hosts. */
const siteName = (/** @type {string} */ url) =>
	url.slice(8, url.indexOf('/', 8)).replace(/^(www|en)\./, '');

/**
 * What the answer says it saw besides the question: the images sent with it, and the earlier
 * questions of a continued conversation, so that a test can tell both arrived.
 * @param {Image[]} images
 * @param {string[]} earlier
 */
function context(images, earlier) {
	let text = '';
	if (images.length) text += `You attached ${images.map(describeImage).join(' and ')}. `;
	if (earlier.length) {
		const asked = earlier.map((q) => `"${q}"`).join(', then ');
		text += `This continues the conversation in which you asked ${asked}. `;
	}
	return text;
}

/**
 * The prose answer, citing results as `[n]` markers. Real answers carry such markers while their
 * `annotations` stay empty (recorded), so the markers are all there is.
 * @param {string} question
 * @param {string | null} topic
 * @param {SearchResult[]} results
 * @param {string} seen see context()
 */
function prose(question, topic, results, seen) {
	/** @param {number} i */
	const cite = (i) => `[${results[i].id}]`;
	const of = topic ? ` of ${topic}` : '';
	let text = `You asked: "${question}". ${seen}`;
	if (results.length === 0) {
		text += topic
			? `${cap(topic)} is a well-documented subject`
			: 'This is a well-documented subject';
		text +=
			'; this answer draws on general knowledge rather than a web search, so it cites no sources.';
	} else if (results.length === 1) {
		text += `${cap(siteName(results[0].url))} covers the essentials${of} ${cite(0)}.`;
	} else {
		text += `The sources agree on the essentials${of} ${cite(0)}${cite(1)}`;
		if (results.length > 2) {
			text += `, and ${siteName(results[2].url)} adds background and recent developments `;
			for (let i = 2; i < results.length; i++) text += cite(i);
		}
		text += '.';
	}
	return `${text} This is a deterministic answer from the Perplexity sandbox.`;
}

/**
 * @param {{ prompt: string, search: boolean, searchOptions?: SearchOptions, schema?: Record<string, any> | null, images?: Image[], earlier?: string[] }} request
 * @returns {Answer}
 */
function compose(request) {
	const question = stripDirectives(request.prompt).trim();
	const title = titleOf(question);
	const topic = topicOf(question);
	const options = request.searchOptions ?? NO_FILTERS;
	const results = request.search ? search(question, title, options) : [];
	const queries = request.search
		? [question.slice(0, 120), `${title} ${options.mode === 'sec' ? 'filings' : 'overview'}`]
		: [];
	const text = prose(
		question,
		topic,
		results,
		context(request.images ?? [], request.earlier ?? []),
	);
	if (!request.schema) return { question, topic, title, queries, results, text, json: false };
	const value = sampleJson(request.schema, {
		answer: text,
		question,
		title,
		url: results[0]?.url ?? 'https://en.wikipedia.org/wiki/Main_Page',
		date: results[0]?.date ?? isoDay(19000),
	});
	return {
		question,
		topic,
		title,
		queries,
		results,
		text: JSON.stringify(value),
		json: true,
	};
}

/** Roughly four characters a token, like English text through a BPE tokenizer. */
const tokens = (/** @type {number} */ chars) => Math.max(1, Math.ceil(chars / 4));

/**
 * Cuts text to a token budget at a word boundary.
 * @param {string} text
 * @param {number} maxTokens
 */
function truncate(text, maxTokens) {
	const limit = maxTokens * 4;
	if (text.length <= limit) return text;
	const space = text.lastIndexOf(' ', limit);
	return text.slice(0, space > limit / 2 ? space : limit);
}

/**
 * The `<think>` block reasoning Sonar models put before their answer (also before JSON).
 * @param {Answer} answer
 */
function thinking(answer) {
	const plan = answer.results.length
		? `I should check the ${answer.results.length} search results, prefer the most reliable sources and answer briefly with citations.`
		: 'No search results are available, so I will answer from general knowledge.';
	return `<think>\nThe user asks: "${answer.question}". ${plan}\n</think>\n\n`;
}

/** Follow-up questions for Sonar's `return_related_questions`. @param {Answer} answer */
function relatedQuestions(answer) {
	return [
		`What is the history of ${answer.title.toLowerCase()}?`,
		`How does ${answer.title.toLowerCase()} compare with the alternatives?`,
		`What are the latest developments in ${answer.title.toLowerCase()}?`,
	];
}

/** Image results for Sonar's `return_images`, one per source up to two. @param {Answer} answer */
function images(answer) {
	const h = hash(answer.question);
	return answer.results.slice(0, 2).map((r, i) => {
		const file = `${answer.title.replace(/ /g, '_')}_${i + 1}.jpg`;
		return {
			image_url: `https://upload.wikimedia.org/wikipedia/commons/thumb/${(h % 16).toString(16)}/${((h >>> 4) % 256).toString(16).padStart(2, '0')}/${file}/1280px-${file}`,
			origin_url: r.url,
			title: r.title,
			width: 1280,
			height: 720 + i * 133,
		};
	});
}

module.exports = { compose, tokens, truncate, thinking, relatedQuestions, images };
