import type { INodeProperties } from 'n8n-workflow';

import { FROM_V2, V1 } from './common.description';

export const NODE_DESCRIPTION =
	'Grounded answers with citations from Perplexity (Agent API or Sonar)';

/** What an AI Agent reads to decide when to call the node (version 2). */
const TOOL_DESCRIPTION =
	'Answers a question with current facts from the web and lists the sources (URLs) it used. Use it for anything recent or that needs checking: news, prices, releases, people, companies, statistics, documentation. Give it the full question as one sentence.';

const toolDescription: INodeProperties = {
	displayName: 'Description',
	name: 'toolDescription',
	type: 'string',
	required: true,
	typeOptions: { rows: 2 },
	default: TOOL_DESCRIPTION,
	description:
		'Explain to the LLM what this tool does, a good, specific description would allow LLMs to produce expected results much more often',
};

/**
 * The tool's description. n8n adds a "Tool Description" switch of its own to a tool node only when
 * the node has no `toolDescription` parameter; with that switch on "automatic", the agent reads
 * "Create a chat completion in Perplexity Chat". Version 2 brings its own description instead.
 * Version 1 tools were saved with n8n's switch, so version 1 keeps it, as n8n defines it.
 */
export const toolDescriptionProperties: INodeProperties[] = [
	{
		displayName: 'Tool Description',
		name: 'descriptionType',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Set Automatically',
				value: 'auto',
				description: 'Automatically set based on resource and operation',
			},
			{ name: 'Set Manually', value: 'manual', description: 'Manually set the description' },
		],
		default: 'auto',
		displayOptions: { show: { '@tool': [true], ...V1 } },
	},
	{
		...toolDescription,
		default: NODE_DESCRIPTION,
		displayOptions: { show: { '@tool': [true], ...V1, descriptionType: ['manual'] } },
	},
	{ ...toolDescription, displayOptions: { show: { '@tool': [true], ...FROM_V2 } } },
];
