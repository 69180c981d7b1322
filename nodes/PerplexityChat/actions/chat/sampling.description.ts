import type { INodeProperties } from 'n8n-workflow';

import { editorLimits } from '../../helpers/ranges';
import { FROM_V2 } from '../common.description';

const onAgent = { show: { ...FROM_V2, api: ['agent'] } };
const onSonar = { show: { ...FROM_V2, api: ['sonar'] } };

const maxTokens: INodeProperties = {
	displayName: 'Max Tokens',
	name: 'maxTokens',
	type: 'number',
	typeOptions: editorLimits('maxTokens'),
	default: 0,
	description:
		"The maximum number of completion tokens returned by the API (sent as max_output_tokens on the Agent API). 0 sends no limit, so the model's own applies.",
};

/**
 * Version 2: the seed's generation settings as parameters of their own, with the seed's defaults
 * in sight (the same values as SONAR_DEFAULTS, which a unit test holds them to). Sonar Chat Completions has all six. The Agent API has Max Tokens; Temperature and Top
 * P are docs-only there (under Options), and Top K and the penalties do not exist, which the hint
 * under Max Tokens says where someone looking for them would look.
 */
export const samplingProperties: INodeProperties[] = [
	{
		...maxTokens,
		displayOptions: onAgent,
		hint: 'Temperature and Top P are under Options (docs-only on the Agent API). Top K, Frequency Penalty and Presence Penalty exist only on Sonar Chat Completions.',
	},
	{ ...maxTokens, displayOptions: onSonar },
	{
		displayName: 'Frequency Penalty',
		name: 'frequencyPenalty',
		type: 'number',
		typeOptions: editorLimits('frequencyPenalty'),
		default: 1,
		description:
			"Decreases likelihood of repetition based on prior frequency; must be above 0. Sonar's own default is 1: left at 1, it is not sent.",
		displayOptions: onSonar,
	},
	{
		displayName: 'Presence Penalty',
		name: 'presencePenalty',
		type: 'number',
		typeOptions: editorLimits('presencePenalty'),
		default: 0,
		description:
			"Positive values increase the likelihood of discussing new topics. Sonar's own default is 0: left at 0, it is not sent.",
		displayOptions: onSonar,
	},
	{
		displayName: 'Temperature',
		name: 'temperature',
		type: 'number',
		typeOptions: editorLimits('temperature'),
		default: 0.2,
		description:
			"The amount of randomness in the response. Sonar's own default is 0.2: left at 0.2, it is not sent.",
		displayOptions: onSonar,
	},
	{
		displayName: 'Top K',
		name: 'topK',
		type: 'number',
		typeOptions: editorLimits('topK'),
		default: 0,
		description:
			"The number of tokens to keep for top-k filtering: the model considers only the k most likely next tokens (0 turns it off). Sonar's own default is 0: left at 0, it is not sent.",
		displayOptions: onSonar,
	},
	{
		displayName: 'Top P',
		name: 'topP',
		type: 'number',
		typeOptions: editorLimits('topP'),
		default: 0.9,
		description:
			"The nucleus sampling threshold. Sonar's own default is 0.9: left at 0.9, it is not sent.",
		displayOptions: onSonar,
	},
];
