// @ts-check
'use strict';

const { stripDirectives } = require('./directives');
const { sampleJson } = require('./json-schema');
const { isObject } = require('./prompt');

/**
 * Client function tools on the Agent API (`tools: [{type: "function", name, description,
 * parameters}]`, answered with `function_call` output items and continued with
 * `function_call_output` input items; the official SDK's request types and the docs' "Give it
 * tools"). The sandbox plays the model deterministically:
 *
 * - a tool is *asked for* when a word of its name, or a distinctive word of its description,
 *   appears in the last user message;
 * - while an asked-for tool has no `function_call_output` after that message, the answer is one
 *   `function_call` per such tool, with arguments built from the tool's parameter schema and the
 *   message (an arithmetic expression in the message fills string parameters, its numbers fill
 *   number parameters);
 * - once every asked-for tool has its output, the answer is the usual text with a first sentence
 *   that quotes each output.
 *
 * @typedef {{ name: string, description: string, parameters: Record<string, any> }} FunctionTool
 * @typedef {{ type: 'function_call', id: string, call_id: string, name: string, arguments: string, status: 'completed' }} FunctionCall
 * @typedef {import('./answers').Answer} Answer
 * @typedef {import('./validate-agent').AgentSpec} AgentSpec
 */

/** Words too common in tool descriptions to say that a message asks for that tool. */
const GENERIC = new Set(
	(
		'useful getting result results should return returns called answer answers question ' +
		'questions information simple execute executed valid input output string number values ' +
		'value object provide provides specific always possible whether current example'
	).split(' '),
);

/** @param {string} text */
const words = (text) =>
	text
		.replace(/([a-z])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter((word) => word.length >= 3);

/** @param {Record<string, any>} body @returns {FunctionTool[]} */
function functionTools(body) {
	if (!Array.isArray(body.tools)) return [];
	return body.tools
		.filter((tool) => isObject(tool) && tool.type === 'function' && typeof tool.name === 'string')
		.map((tool) => ({
			name: tool.name,
			description: typeof tool.description === 'string' ? tool.description : '',
			parameters: isObject(tool.parameters) ? tool.parameters : { type: 'object' },
		}));
}

/** @param {FunctionTool} tool @param {Set<string>} said */
function askedFor(tool, said) {
	const fromName = words(tool.name).filter((word) => !GENERIC.has(word));
	const fromDescription = words(tool.description).filter(
		(word) => word.length >= 6 && !GENERIC.has(word),
	);
	return [...fromName, ...fromDescription].some((word) => said.has(word));
}

/** The longest arithmetic expression in a text, e.g. "12 * 7 + 3" in "What is 12 * 7 + 3?". */
function expressionIn(/** @type {string} */ text) {
	const number = String.raw`\d+(?:\.\d+)?`;
	const pattern = new RegExp(String.raw`${number}(?:\s*[-+*/^%x×]\s*\(?\s*${number}\s*\)?)+`, 'g');
	const candidates = text.match(pattern) ?? [];
	return candidates
		.sort((a, b) => b.length - a.length)[0]
		?.replace(/[x×]/g, '*')
		.trim();
}

/**
 * @param {FunctionTool} tool
 * @param {string} message
 */
function argumentsFor(tool, message) {
	const text = expressionIn(message) ?? message;
	const value = sampleJson(tool.parameters, {
		answer: text,
		question: text,
		title: text,
		url: 'https://example.com/',
		date: '2026-01-01',
	});
	const numbers = (message.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
	const props = isObject(tool.parameters.properties) ? tool.parameters.properties : {};
	if (isObject(value)) {
		for (const [key, schema] of Object.entries(props)) {
			const type = isObject(schema) ? schema.type : undefined;
			if ((type === 'number' || type === 'integer') && key in value && numbers.length) {
				value[key] = /** @type {number} */ (numbers.shift());
			}
		}
	}
	return JSON.stringify(value ?? {});
}

/**
 * What happened after the last user message: the calls made and the outputs they got.
 * @param {unknown[]} input
 */
function turnSoFar(input) {
	let start = 0;
	input.forEach((item, index) => {
		if (isObject(item) && (item.type ?? 'message') === 'message' && item.role === 'user') {
			start = index + 1;
		}
	});
	/** @type {Map<string, string>} call_id → tool name */
	const called = new Map();
	/** @type {Array<{ name: string, output: string }>} */
	const outputs = [];
	for (const item of input.slice(start)) {
		if (!isObject(item)) continue;
		if (item.type === 'function_call') called.set(String(item.call_id), String(item.name));
		if (item.type === 'function_call_output') {
			outputs.push({
				name: called.get(String(item.call_id)) ?? 'tool',
				output: String(item.output),
			});
		}
	}
	return { outputs, answered: new Set(outputs.map((o) => o.name)) };
}

/** @param {Answer} answer @param {string} prefix */
function prefixAnswer(answer, prefix) {
	// Annotations stay empty, as recorded: the [n] markers move with the text.
	answer.text = prefix + answer.text;
}

/**
 * Decides the turn when the request offers function tools. Returns the function calls to answer
 * with (and then the turn searches nothing), or null for a text answer, which then quotes the
 * tools' outputs.
 * @param {Record<string, any>} body a validated Agent request
 * @param {AgentSpec} spec
 * @param {Answer} answer
 * @param {string} responseId
 * @returns {FunctionCall[] | null}
 */
function functionTurn(body, spec, answer, responseId) {
	const tools = functionTools(body);
	if (tools.length === 0) return null;
	const input = Array.isArray(body.input) ? body.input : [];
	const message = stripDirectives(spec.prompt);
	const said = new Set(words(message));
	const { outputs, answered } = turnSoFar(input);
	const pending = tools.filter((tool) => askedFor(tool, said) && !answered.has(tool.name));
	if (pending.length === 0) {
		if (outputs.length > 0) {
			const quoted = outputs.map(({ name, output }) => `The ${name} tool returned ${output}.`);
			prefixAnswer(answer, `${quoted.join(' ')} `);
		}
		return null;
	}
	const suffix = responseId.replace(/^resp_/, '');
	spec.search = false;
	const calls = pending.map((tool, index) => ({
		type: /** @type {const} */ ('function_call'),
		id: `fc_${suffix}_${index + 1}`,
		call_id: `call_${suffix}_${index + 1}`,
		name: tool.name,
		arguments: argumentsFor(tool, message),
		status: /** @type {const} */ ('completed'),
	}));
	// Output tokens count what the model wrote: here the calls.
	answer.text = calls.map((call) => call.name + call.arguments).join('');
	answer.annotations = [];
	answer.results = [];
	return calls;
}

module.exports = { functionTurn, expressionIn };
