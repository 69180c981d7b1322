import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export type AiNodeSdk = typeof import('@n8n/ai-node-sdk');

/** The first n8n release that ships @n8n/ai-node-sdk (0.7.0), checked on the npm registry. */
export const FIRST_N8N_WITH_SDK = '2.16.0';

/**
 * n8n's AI node SDK, loaded when the node is first used rather than when n8n loads the package:
 * n8n before 2.16 does not have it, and a node file that fails to load stops the whole package
 * from loading (Perplexity Chat and the credential included).
 */
export async function loadAiNodeSdk(node: INode): Promise<AiNodeSdk> {
	try {
		return await import('@n8n/ai-node-sdk');
	} catch {
		throw new NodeOperationError(
			node,
			`Perplexity Chat Model needs n8n ${FIRST_N8N_WITH_SDK} or newer (n8n's AI node SDK is missing)`,
			{
				description: `This node is built on @n8n/ai-node-sdk, which n8n ships from version ${FIRST_N8N_WITH_SDK} on. Update n8n, or use the Perplexity Chat node, which works on every n8n version.`,
			},
		);
	}
}
