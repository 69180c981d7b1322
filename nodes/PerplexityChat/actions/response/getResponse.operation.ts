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
import { addRunTotals } from '../../helpers/runTotals';
import { resolveOutputSettings } from '../../helpers/settings';
import { checkResponseId } from '../../helpers/validation';
import { callOptionsOf, type PerplexityClient } from '../../transport/client';
import {
	addRunTotalsOption,
	FROM_V2,
	includeRawResponseOption,
	requestOptionsForPolling,
	simplifyProperty,
	V1,
} from '../common.description';
import { readExecutionSettings, runItems } from '../runItems';
import { itemOutput, waitForRun } from '../results';

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [includeRawResponseOption],
};

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
	{ ...options, displayOptions: { show: V1 } },
	{
		...options,
		options: [addRunTotalsOption, includeRawResponseOption],
		displayOptions: { show: FROM_V2 },
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
		const id = checkResponseId('Response ID', this.getNodeParameter('responseId', itemIndex, ''));
		if (id === undefined) throw new InputError('Response ID', 'is empty');
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
	const results = await runItems(
		this,
		execution,
		prepare,
		async ({ id, wait, output }, itemIndex) => {
			const fetched = await client.call(
				{ method: 'GET', path: `${RESPONSES_PATH}/${encodeURIComponent(id)}` },
				callOptionsOf(execution),
			);
			const result =
				fetched.ok && wait ? await waitForRun(client, fetched.body, execution) : fetched;
			const answer = itemOutput(node, 'agent', result, output, itemIndex, secrets);
			return answer instanceof Error ? answer : present(answer, presentation);
		},
	);
	const addTotals = (this.getNodeParameter('options', 0, {}) as IDataObject).addRunTotals === true;
	return node.typeVersion >= 2 && addTotals ? [addRunTotals(results[0])] : results;
}
