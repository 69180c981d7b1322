import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../helpers/constants';
import { PerplexityClient } from '../transport/client';
import { resourceOf, resources } from './resources';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const resource = resourceOf(this.getNode(), operation, () =>
		String(this.getNodeParameter('resource', 0)),
	);
	const run = resources[resource]?.operations[operation];
	if (!run) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of resource "${resource}" is not known`,
		);
	}
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const client = new PerplexityClient(this, credentials);
	// Kept only to scrub the key out of any message a server might echo it in.
	const secrets = [String(credentials.apiKey ?? '')];
	return await run.execute.call(this, client, secrets);
}
