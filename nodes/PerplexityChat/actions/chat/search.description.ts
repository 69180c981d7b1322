import type { INodeProperties } from 'n8n-workflow';

import { editorLimits } from '../../helpers/ranges';
import { agentOnly, sonarOnly } from '../common.description';
import { alphabetical, languageFilterOption, webFilterOptions } from '../webFilters.description';

/** Search: which sources the answer may draw on, as both APIs express it. */
export const searchOptions: INodeProperties = {
	displayName: 'Search',
	name: 'searchOptions',
	type: 'collection',
	placeholder: 'Add Search Option',
	default: {},
	options: alphabetical([
		...webFilterOptions,
		{ ...languageFilterOption, displayOptions: sonarOnly },
		{
			displayName: 'Disable Search',
			name: 'disableSearch',
			type: 'boolean',
			default: false,
			description: 'Whether to answer from the model alone, without web search or citations',
		},
		{
			displayName: 'Force Web Search',
			name: 'alwaysSearch',
			type: 'boolean',
			default: false,
			description:
				'Whether to send tool_choice {"type": "web_search"} so that every answer searches. Perplexity documents tool_choice but not this value, so the Agent API may refuse it with a 400; without it the model decides, and presets and Sonar models search for questions anyway.',
			displayOptions: agentOnly,
		},
		{
			displayName: 'Return Images',
			name: 'returnImages',
			type: 'boolean',
			default: false,
			description: 'Whether to add images from the sources to the output',
			displayOptions: sonarOnly,
		},
		{
			displayName: 'Return Related Questions',
			name: 'returnRelatedQuestions',
			type: 'boolean',
			default: false,
			description: 'Whether to add suggested follow-up questions to the output',
			displayOptions: sonarOnly,
		},
		{
			displayName: 'Search Context Size',
			name: 'contextSize',
			type: 'options',
			options: [
				{
					name: 'High',
					value: 'high',
					description: 'Most context; best for research, costs more',
				},
				{ name: 'Low', value: 'low', description: 'Least context; cheapest' },
				{ name: 'Medium', value: 'medium' },
			],
			default: 'low',
			description: 'How much text from the search results the model reads',
		},
		{
			displayName: 'Search Mode',
			name: 'searchMode',
			type: 'options',
			options: [
				{ name: 'Academic', value: 'academic', description: 'Scholarly articles and papers' },
				{ name: 'SEC', value: 'sec', description: 'SEC filings' },
				{ name: 'Web', value: 'web', description: 'The whole web' },
			],
			default: 'web',
			displayOptions: sonarOnly,
		},
		{
			displayName: 'User Location',
			name: 'userLocation',
			type: 'fixedCollection',
			default: {},
			placeholder: 'Add Location',
			description: 'Where the user is, to favour local results',
			options: [
				{
					displayName: 'Location',
					name: 'location',
					values: [
						{ displayName: 'City', name: 'city', type: 'string', default: '' },
						{
							displayName: 'Country',
							name: 'country',
							type: 'string',
							default: '',
							placeholder: 'e.g. US',
							description: 'Two-letter ISO 3166-1 code',
						},
						{
							displayName: 'Latitude',
							name: 'latitude',
							type: 'number',
							typeOptions: editorLimits('searchOptions.userLocation.location.latitude'),
							default: 0,
						},
						{
							displayName: 'Longitude',
							name: 'longitude',
							type: 'number',
							typeOptions: editorLimits('searchOptions.userLocation.location.longitude'),
							default: 0,
						},
						{ displayName: 'Region', name: 'region', type: 'string', default: '' },
					],
				},
			],
		},
	]),
};
