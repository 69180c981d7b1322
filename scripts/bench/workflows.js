'use strict';
/**
 * The one workflow shape every figure comes from: Manual Trigger → Code node making N items
 * `{ q: 'Question i?' }` → the node under test with the prompt `{{ $json.q }}`. Only the last
 * node changes between variants, so differences between them are the node's own.
 */
const { NODE_TYPE, CREDENTIAL_TYPE, SANDBOX_API_KEY } = require('../lib');

const TRIGGER = 'Manual Trigger';
const MAKE_ITEMS = 'Make Items';
const UNDER_TEST = 'Under Test';

const BUILTIN_TYPE = 'n8n-nodes-base.perplexity';
const BUILTIN_CREDENTIAL_TYPE = 'perplexityApi';

/**
 * The variants. `ours` is this package's node on the Agent API with model `sonar` (sent as
 * perplexity/sonar) and its default of forcing web search. The built-in node gets the same model
 * and the web_search tool, so that the sandbox searches for both and both answers carry the same
 * search results: the bodies differ only in the fields each node always sends.
 */
function underTest(variant, credentialId, sandboxUrl) {
	if (variant.node === 'httpRequest') {
		// n8n's HTTP Request node sending the built-in node's request straight to the sandbox: a
		// reference for what n8n itself spends per item on one expression and one request.
		return {
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: `${sandboxUrl}/v1/agent`,
				sendHeaders: true,
				headerParameters: {
					parameters: [{ name: 'Authorization', value: `Bearer ${SANDBOX_API_KEY}` }],
				},
				sendBody: true,
				specifyBody: 'json',
				jsonBody:
					'={{ JSON.stringify({ model: "perplexity/sonar", input: $json.q, tools: [{ type: "web_search" }] }) }}',
				options: {},
			},
		};
	}
	if (variant.node === 'builtin') {
		return {
			type: BUILTIN_TYPE,
			typeVersion: 3,
			parameters: {
				resource: 'agent',
				operation: 'createResponse',
				input: '={{ $json.q }}',
				model: { __rl: true, mode: 'id', value: 'perplexity/sonar' },
				options: { tools: '[{"type":"web_search"}]' },
			},
			credentials: { [BUILTIN_CREDENTIAL_TYPE]: { id: credentialId, name: 'bench built-in' } },
		};
	}
	return {
		type: NODE_TYPE,
		typeVersion: 1,
		parameters: {
			operation: 'complete',
			api: 'agent',
			model: { __rl: true, mode: 'list', value: 'sonar' },
			inputMode: 'prompt',
			prompt: '={{ $json.q }}',
			requestOptions: { concurrency: variant.concurrency },
		},
		credentials: { [CREDENTIAL_TYPE]: { id: credentialId, name: 'bench ours' } },
	};
}

/**
 * @param {{ name: string, items: number, variant?: object, credentialId?: string, sandboxUrl?: string, tag?: string }} o
 *   without `variant`: the Code node alone (the baseline that CPU and memory are measured against);
 *   `tag` goes before every question, so that two workflows running at once ask different ones
 */
function benchWorkflow({ name, items, variant, credentialId, sandboxUrl, tag = '' }) {
	const nodes = [
		{
			id: 'b0000000-0000-4000-8000-000000000001',
			name: TRIGGER,
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'b0000000-0000-4000-8000-000000000002',
			name: MAKE_ITEMS,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: {
				jsCode: `return Array.from({ length: ${items} }, (_, i) => ({ json: { q: ${JSON.stringify(`${tag}Question `)} + i + '?' } }));`,
			},
		},
	];
	const connections = {
		[TRIGGER]: { main: [[{ node: MAKE_ITEMS, type: 'main', index: 0 }]] },
	};
	if (variant) {
		nodes.push({
			id: 'b0000000-0000-4000-8000-000000000003',
			name: UNDER_TEST,
			position: [440, 0],
			...underTest(variant, credentialId, sandboxUrl),
		});
		connections[MAKE_ITEMS] = { main: [[{ node: UNDER_TEST, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

module.exports = {
	benchWorkflow,
	TRIGGER,
	MAKE_ITEMS,
	UNDER_TEST,
	BUILTIN_CREDENTIAL_TYPE,
};
