import type { INodeProperties } from 'n8n-workflow';

import { editorLimitsOf } from '../../helpers/ranges';
import { addRunTotalsOption, requestOptionsForRequests } from '../common.description';
import type { EmbeddingModel } from './models';
import { EMBEDDING_RANGES } from './settings';

/** The Model field of an embeddings operation: its published models, or any ID. */
export function modelLocator(models: readonly EmbeddingModel[], method: string): INodeProperties {
	return {
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: models[0].value },
		description: 'The embedding model. Vectors of different models cannot be compared.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: method, searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${models[models.length - 1].value}`,
			},
		],
	};
}

export const embeddingOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			...addRunTotalsOption,
			description:
				'Whether to add the summed tokens and cost of all requests of the run to the last output item, as run_totals. Failed requests add nothing.',
		},
		{
			displayName: 'Dimensions',
			name: 'dimensions',
			type: 'number',
			typeOptions: editorLimitsOf(EMBEDDING_RANGES['options.dimensions']),
			default: 0,
			description:
				"How many numbers each vector has: 128 up to the model's full size (1024 for the 0.6b models, 2560 for the 4b models). Fewer are cheaper to store and compare; the first numbers carry the most meaning. 0 gives the full size.",
		},
		{
			displayName: 'Encoding Format',
			name: 'encodingFormat',
			type: 'options',
			options: [
				{
					name: 'Int8',
					value: 'base64_int8',
					description: 'One whole number from -128 to 127 per dimension',
				},
				{
					name: 'Binary',
					value: 'base64_binary',
					description:
						'One bit per dimension, 0 or 1: 8 times smaller, compared by Hamming distance',
				},
			],
			default: 'base64_int8',
			description:
				'How Perplexity quantizes the vectors. The node decodes them: the output is always a list of numbers.',
		},
		{
			displayName: 'Include Input Text',
			name: 'includeText',
			type: 'boolean',
			default: true,
			description: 'Whether to put each text next to its vector, e.g. to store both',
		},
	],
};

/** Request Options of an embeddings operation; `perRequest` names what a request holds. */
export function embeddingRequestOptions(perRequest: string, what: string): INodeProperties {
	const perRequestOption: INodeProperties = {
		displayName: perRequest,
		name: 'maxPerRequest',
		type: 'number',
		typeOptions: editorLimitsOf(EMBEDDING_RANGES['requestOptions.maxPerRequest']),
		default: 512,
		description: `The node packs the ${what} of many items into one request, up to this many and within Perplexity's token limits. 512 is the most Perplexity takes.`,
	};
	return {
		displayName: 'Request Options',
		name: 'requestOptions',
		type: 'collection',
		placeholder: 'Add Request Option',
		default: {},
		// Sorted by name, as the editor lists them.
		options: [...requestOptionsForRequests, perRequestOption].sort((a, b) =>
			a.displayName.localeCompare(b.displayName),
		),
	};
}
