import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { RESPONSES_PATH } from '../../helpers/constants';
import { InputError } from '../../helpers/inputError';
import type { OutputSettings } from '../../helpers/interfaces';
import { type Presentation, present } from '../../helpers/presentation';
import { resolveOutputSettings } from '../../helpers/settings';
import type { PerplexityClient } from '../../transport/client';
import {
	includeRawResponseOption,
	requestOptionsForPolling,
	simplifyProperty,
} from '../common.description';
import { readExecutionSettings, runItems } from '../runItems';
import { itemOutput, waitForRun } from '../results';

const properties: INodeProperties[] = [
	{
		displayName: 'Response ID',
		name: 'responseId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. resp_0123abcd',
		description:
			'The ID of an Agent API response, e.g. the ID output by Create Chat Completion with Background Mode set to Submit Only',
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to keep polling until the run has finished. Off, a run still in progress is output with its status.',
	},
	simplifyProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [includeRawResponseOption],
	},
	{
		displayName: 'Request Options',
		name: 'requestOptions',
		type: 'collection',
		placeholder: 'Add Request Option',
		default: {},
		options: requestOptionsForPolling,
	},
];

export const description = updateDisplayOptions(
	{ show: { operation: ['getResponse'] } },
	properties,
);

interface PreparedFetch {
	id: string;
	wait: boolean;
	output: OutputSettings;
}

export async function execute(
	this: IExecuteFunctions,
	client: PerplexityClient,
	secrets: string[],
): Promise<INodeExecutionData[][]> {
	const { execution } = readExecutionSettings(this);

	const prepare = (itemIndex: number): PreparedFetch => {
		const id = String(this.getNodeParameter('responseId', itemIndex, '')).trim();
		if (id === '') throw new InputError('Response ID', 'is empty');
		if (/[\s/?#]/.test(id)) throw new InputError('Response ID', `"${id}" is not a response ID`);
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		return {
			id,
			wait: this.getNodeParameter('waitForCompletion', itemIndex, true) as boolean,
			// Structured output was decided when the run was created; here the answer is passed as is.
			output: {
				...resolveOutputSettings(this.getNodeParameter('simplify', itemIndex, false), options),
				expectJson: false,
			},
		};
	};

	const node = this.getNode();
	// As Create Chat Completion: version 2 puts the answer first, version 1 keeps its layout.
	const presentation: Presentation = node.typeVersion >= 2 ? 'answerFirst' : 'completion';
	return await runItems(this, execution, prepare, async ({ id, wait, output }, itemIndex) => {
		const fetched = await client.call(
			{ method: 'GET', path: `${RESPONSES_PATH}/${encodeURIComponent(id)}` },
			{
				timeoutMs: execution.timeoutMs,
				maxRetries: execution.maxRetries,
				maxRateLimitWaitMs: execution.maxRateLimitWaitMs,
			},
		);
		const result = fetched.ok && wait ? await waitForRun(client, fetched.body, execution) : fetched;
		const answer = itemOutput(node, 'agent', result, output, itemIndex, secrets);
		return answer instanceof Error ? answer : present(answer, presentation);
	});
}
