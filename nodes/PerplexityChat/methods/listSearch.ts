import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import {
	AGENT_PRESETS,
	CREDENTIAL_TYPE,
	MODELS_PATH,
	SONAR_MODELS,
	SONAR_TO_AGENT,
} from '../helpers/constants';
import { PerplexityClient } from '../transport/client';
import { failureToNodeApiError } from '../transport/nodeErrors';

function matches(item: INodeListSearchItems, filter?: string): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return `${item.name} ${String(item.value)}`.toLowerCase().includes(needle);
}

function sonarNameItems(agent: boolean): INodeListSearchItems[] {
	return SONAR_MODELS.map(({ value, description }) => {
		const mapped = SONAR_TO_AGENT[value];
		const target = mapped.preset ? `preset ${mapped.preset}` : mapped.model;
		return {
			name: agent ? `${value} (runs as ${target})` : value,
			value,
			description,
		};
	});
}

/**
 * The Model list: on the Agent API the presets, then the live model list (GET /v1/models through
 * the credential's base URL, so gateways show their own models), then the Sonar names; on Sonar
 * Chat Completions the Sonar models.
 */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const api = this.getCurrentNodeParameter('api') ?? 'agent';
	if (api === 'sonar') {
		return { results: sonarNameItems(false).filter((item) => matches(item, filter)) };
	}

	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const client = new PerplexityClient(this, credentials);
	const result = await client.call(
		{ method: 'GET', path: MODELS_PATH },
		// The editor waits for this list: a rate limit that holds longer fails it with the reason.
		{ timeoutMs: 30_000, maxRetries: 2, maxRateLimitWaitMs: 10_000 },
	);
	if (!result.ok) {
		throw failureToNodeApiError(this.getNode(), result.failure, result.attempts, undefined, [
			String(credentials.apiKey ?? ''),
		]);
	}
	const models = Array.isArray(result.body.data) ? (result.body.data as IDataObject[]) : [];
	const live: INodeListSearchItems[] = models
		.map((model) => String(model.id ?? ''))
		.filter((id) => id !== '')
		.sort()
		.map((id) => ({ name: id, value: id }));

	const presets: INodeListSearchItems[] = AGENT_PRESETS.map(({ value, name, description }) => ({
		name: `Preset: ${name} (${value})`,
		value,
		description,
	}));
	const results = [...presets, ...live, ...sonarNameItems(true)].filter((item) =>
		matches(item, filter),
	);
	return { results };
}

/** Embeddings: the published models (see actions/embeddings/models.ts). */
export {
	searchContextualizedEmbeddingModels,
	searchEmbeddingModels,
} from '../actions/embeddings/models';
