import type { INodeProperties } from 'n8n-workflow';

/**
 * The filters every web search of the node takes, as options of a collection: the chat's Search
 * collection and the Search operation's Options show the same fields, read by the same check
 * (helpers/validation.ts: checkWebFilters) and sent under the same names
 * (helpers/requests.ts: webFilterFields).
 */
export const webFilterOptions: INodeProperties[] = [
	{
		displayName: 'Domain Filter',
		name: 'domainFilter',
		type: 'string',
		default: '',
		placeholder: 'e.g. nature.com, science.org, -reddit.com',
		description:
			'Domains to search, comma-separated (at most 20); put - in front of a domain to leave it out instead',
	},
	{
		displayName: 'Published After',
		name: 'publishedAfter',
		type: 'dateTime',
		default: '',
		description: 'Only sources published after this date (cannot be combined with Recency)',
	},
	{
		displayName: 'Published Before',
		name: 'publishedBefore',
		type: 'dateTime',
		default: '',
		description: 'Only sources published before this date (cannot be combined with Recency)',
	},
	{
		displayName: 'Recency',
		name: 'recency',
		type: 'options',
		options: [
			{ name: 'Past Day', value: 'day' },
			{ name: 'Past Hour', value: 'hour' },
			{ name: 'Past Month', value: 'month' },
			{ name: 'Past Week', value: 'week' },
			{ name: 'Past Year', value: 'year' },
		],
		default: 'week',
		description: 'Only sources from this period (cannot be combined with the date filters)',
	},
	{
		displayName: 'Updated After',
		name: 'updatedAfter',
		type: 'dateTime',
		default: '',
		description: 'Only sources last updated after this date (cannot be combined with Recency)',
	},
	{
		displayName: 'Updated Before',
		name: 'updatedBefore',
		type: 'dateTime',
		default: '',
		description: 'Only sources last updated before this date (cannot be combined with Recency)',
	},
];

export const languageFilterOption: INodeProperties = {
	displayName: 'Language Filter',
	name: 'languageFilter',
	type: 'string',
	default: '',
	placeholder: 'e.g. en, de',
	description: 'Only use sources in these languages (ISO 639-1 codes, comma-separated)',
};

/** Collection options in the editor's alphabetical order, wherever they come from. */
export function alphabetical(options: INodeProperties[]): INodeProperties[] {
	return [...options].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
