import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../helpers/constants';
import { PerplexityClient } from '../transport/client';
import * as complete from './chat/complete.operation';
import * as getResponse from './chat/getResponse.operation';

const operations = { complete, getResponse };

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	if (!(operation in operations)) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known`);
	}
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const client = new PerplexityClient(this, credentials);
	// Kept only to scrub the key out of any message a server might echo it in.
	const secrets = [String(credentials.apiKey ?? '')];
	return await operations[operation].execute.call(this, client, secrets);
}
