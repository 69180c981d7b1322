import type { INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_RATE_LIMIT_WAIT_S,
	DEFAULT_MAX_RETRIES,
	DEFAULT_MAX_WAIT_S,
	DEFAULT_POLL_INTERVAL_S,
	DEFAULT_TIMEOUT_MS,
} from '../helpers/constants';
import { editorLimits } from '../helpers/ranges';

/** For options inside collections: shown only when the node's API is the one named. */
export const agentOnly = { show: { '/api': ['agent'] } };
export const sonarOnly = { show: { '/api': ['sonar'] } };

/**
 * Node versions. Version 1 is the node as first published: saved workflows keep it, and with it
 * the defaults they were saved with (n8n leaves default values out of saved workflows).
 */
export const V1 = { '@version': [1] };
export const FROM_V2 = { '@version': [{ _cnd: { gte: 2 } }] };
/** Version 3 brought the Resource selector; versions 1 and 2 have one Operation list. */
export const UP_TO_V2 = { '@version': [1, 2] };
export const FROM_V3 = { '@version': [{ _cnd: { gte: 3 } }] };

export const simplifyProperty: INodeProperties = {
	displayName: 'Simplify Output',
	name: 'simplify',
	type: 'boolean',
	default: false,
	description:
		'Whether to return a flat object (content, citations, search results, model, usage) instead of the chat completion with its choices',
};

/**
 * The Model field, the same in both nodes (the live list comes from methods/listSearch), with the
 * description that fits the node's APIs.
 */
export function modelProperty(description: string): INodeProperties {
	return {
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: 'sonar' },
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. sonar-pro, fast or openai/gpt-5.1',
			},
		],
	};
}

/**
 * A setting of the whole run, read from the first item (helpers/runTotals.ts): from version 2 in
 * Chat and Get Response, and in the embeddings operations, which sum their requests' usage.
 */
export const addRunTotalsOption: INodeProperties = {
	displayName: 'Add Run Totals',
	name: 'addRunTotals',
	type: 'boolean',
	default: false,
	description:
		'Whether to add the summed tokens and cost of all items to the last output item, as run_totals. Failed items add nothing.',
};

export const includeRawResponseOption: INodeProperties = {
	displayName: 'Include Raw Response',
	name: 'includeRawResponse',
	type: 'boolean',
	default: false,
	description: 'Whether to add the body Perplexity sent, unchanged, as raw_response',
};

const maxRetries: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	typeOptions: editorLimits('requestOptions.maxRetries'),
	default: DEFAULT_MAX_RETRIES,
	description:
		'How often to retry a request after a connection error, a timeout or a server error (5xx). Rate limits (429) are waited out instead, see Max Wait for Rate Limit. Other errors are not retried.',
};

const maxRateLimitWait: INodeProperties = {
	displayName: 'Max Wait for Rate Limit (Seconds)',
	name: 'maxRateLimitWait',
	type: 'number',
	typeOptions: editorLimits('requestOptions.maxRateLimitWait'),
	default: DEFAULT_MAX_RATE_LIMIT_WAIT_S,
	description:
		"How long a request may wait while Perplexity's rate limit (429) holds it back before its item fails. Waiting is not a retry.",
};

const timeout: INodeProperties = {
	displayName: 'Timeout (Ms)',
	name: 'timeout',
	type: 'number',
	typeOptions: editorLimits('requestOptions.timeout'),
	default: DEFAULT_TIMEOUT_MS,
	description:
		'How long to wait for the server to answer, in milliseconds. The default of 15 minutes leaves room for deep research.',
};

const pollInterval: INodeProperties = {
	displayName: 'Poll Interval (Seconds)',
	name: 'pollInterval',
	type: 'number',
	typeOptions: editorLimits('requestOptions.pollInterval'),
	default: DEFAULT_POLL_INTERVAL_S,
	description: 'How often to ask whether a background run has finished',
};

const maxWait: INodeProperties = {
	displayName: 'Max Wait (Seconds)',
	name: 'maxWait',
	type: 'number',
	typeOptions: editorLimits('requestOptions.maxWait'),
	default: DEFAULT_MAX_WAIT_S,
	description:
		'How long to wait for a background run before giving up on the item (the run itself goes on and can be fetched later)',
};

const concurrency: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: editorLimits('requestOptions.concurrency'),
	default: DEFAULT_CONCURRENCY,
	description:
		'How many requests run at the same time. Requests slow down on their own when Perplexity answers 429. Output order always follows input order.',
};

const batchInterval: INodeProperties = {
	displayName: 'Batch Interval (Ms)',
	name: 'batchInterval',
	type: 'number',
	typeOptions: editorLimits('requestOptions.batchInterval'),
	default: 0,
	description:
		'Pause between batches, in milliseconds. Above 0, items go in batches of Concurrency items with this pause in between; 0 keeps Concurrency requests running all the time.',
};

const requestsPerMinute: INodeProperties = {
	displayName: 'Max Requests per Minute',
	name: 'requestsPerMinute',
	type: 'number',
	typeOptions: editorLimits('requestOptions.requestsPerMinute'),
	default: 0,
	description:
		'Spread requests out to stay under your Perplexity usage tier. The cap counts every request, retries too, of all nodes on this credential with the same cap in this n8n process (in queue mode, per worker). 0 means no cap.',
};

/** For operations whose requests get their answer at once (Search, Embeddings). */
export const requestOptionsForRequests: INodeProperties[] = [
	batchInterval,
	concurrency,
	maxRetries,
	maxRateLimitWait,
	requestsPerMinute,
	timeout,
];

export const requestOptionsForPolling: INodeProperties[] = [
	concurrency,
	maxRetries,
	maxRateLimitWait,
	maxWait,
	pollInterval,
	timeout,
];

export const requestOptionsForCompletion: INodeProperties[] = [
	{
		displayName: 'Background Mode',
		name: 'background',
		type: 'options',
		displayOptions: agentOnly,
		options: [
			{ name: 'Off', value: 'off', description: 'Wait for the answer on an open connection' },
			{
				name: 'Submit Only',
				value: 'submit',
				description:
					'Start the run and output its ID at once; fetch the answer later with Get Response (e.g. after a Wait node)',
			},
			{
				name: 'Submit and Wait',
				value: 'wait',
				description:
					'Start the run in the background and poll until it is done (for slow presets and deep research)',
			},
		],
		default: 'off',
		description: 'Run long research in the background instead of holding a connection open',
	},
	batchInterval,
	concurrency,
	maxRetries,
	maxRateLimitWait,
	requestsPerMinute,
	{ ...maxWait, displayOptions: agentOnly },
	{ ...pollInterval, displayOptions: agentOnly },
	{
		displayName: 'Stream Response',
		name: 'stream',
		type: 'boolean',
		default: true,
		description:
			'Whether to receive the answer as a stream of server-sent events. When the trigger streams its response (Webhook or Chat Trigger set to streaming), the text reaches the caller as it arrives. Left out, the node streams exactly when the trigger does.',
	},
	timeout,
];
