/**
 * The package in n8n-core 2.8 (this project's development n8n), which, like every n8n before
 * 2.16, ships no @n8n/ai-node-sdk: the package must still load whole, and Perplexity Chat Model
 * must say what it needs instead of failing obscurely.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';
import path from 'node:path';

import { loadPackage, PACKAGE_ROOT } from '../helpers/harness';

// The built node, as n8n loads it.
const { loadAiNodeSdk } = require(
	path.join(PACKAGE_ROOT, 'dist/nodes/LmChatPerplexity/sdk.js'),
) as {
	loadAiNodeSdk: (node: INode) => Promise<unknown>;
};

const node: INode = {
	id: 'model',
	name: 'Perplexity Chat Model',
	type: 'n8n-nodes-perplexity-chat.lmChatPerplexity',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('without the AI node SDK (n8n before 2.16)', () => {
	test('the SDK is really absent here', () => {
		expect(() => require.resolve('@n8n/ai-node-sdk')).toThrow(/Cannot find module/);
	});

	test("n8n's package loader loads both nodes and the credential", async () => {
		const { loader, credentialTypes } = await loadPackage();
		expect(Object.keys(loader.nodeTypes).sort()).toEqual(['lmChatPerplexity', 'perplexityChat']);
		expect(Object.keys(credentialTypes)).toEqual(['perplexityChatApi']);
		const model = loader.nodeTypes.lmChatPerplexity.type;
		expect(model.description).toEqual(
			expect.objectContaining({ outputs: ['ai_languageModel'], inputs: [] }),
		);
	});

	test('asking for the model fails with an error that names the n8n version it needs', async () => {
		const failure = await loadAiNodeSdk(node).catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(NodeOperationError);
		expect((failure as NodeOperationError).message).toBe(
			"Perplexity Chat Model needs n8n 2.16.0 or newer (n8n's AI node SDK is missing)",
		);
		expect((failure as NodeOperationError).description).toMatch(/Perplexity Chat node/);
	});
});
