import type { WireEndpoint, WireTable } from '../../helpers/wireFields';

/**
 * Every field Search sends to POST /search, with the evidence that the endpoint takes it, in the
 * letters of helpers/wireFields.ts. No request to the Search API is recorded, so nothing here is
 * R; every field is in the official SDK's request type, which makes each one proven.
 *
 * - S: perplexityai/perplexity-node 0.38.1 (commit 1110dc1), src/generated/api.ts:
 *   `ApiSearchRequestInput` (what `search.create` takes, alias Search.SearchCreateParams); the
 *   Python SDK's SearchCreateParams has the same fields.
 * - N: n8n's built-in Perplexity node, descriptions/search/search.operation.ts. Its date options
 *   send `search_after_date` and `search_before_date`, names neither the SDK nor the OpenAPI
 *   document has: no evidence for the date filters, which go out under the SDK's names.
 * - D: Perplexity's OpenAPI document (../shared/reference/perplexity-openapi.json):
 *   `ApiSearchRequest` = its own fields & `SearchDomainFilter` & `DateFilters`.
 *
 * The filters shared with Create Chat Completion have the names the Agent API's web_search tool
 * uses inside `filters` (the SDK's WebSearchFiltersInput) and Sonar at the top level; here they go
 * at the top level. Not sent: `display_server_time`, `search_context_size`, `search_mode` and
 * `search_type`, which only the SDK has and no option needs.
 * test/unit/search.test.ts builds requests for every option and checks each path against this.
 */
const SDK = 'S: ApiSearchRequestInput';
const SPEC = 'D: ApiSearchRequest';

export const SEARCH_WIRE_FIELDS: WireTable = {
	query: {
		evidence: ['S', 'N', 'D'],
		source: `${SDK}.query (string | string[]); N: Queries (a string, a list for several); ${SPEC}.query`,
		option: 'Queries',
	},
	max_results: {
		evidence: ['S', 'N', 'D'],
		source: `${SDK}.max_results; N: Max Results; ${SPEC}.max_results (1..20, default 10)`,
		option: 'Max Results',
	},
	max_tokens: {
		evidence: ['S', 'N', 'D'],
		source: `${SDK}.max_tokens; N: Max Tokens; ${SPEC}.max_tokens (1..1000000, default 10000)`,
		option: 'Options → Max Tokens',
	},
	max_tokens_per_page: {
		evidence: ['S', 'N', 'D'],
		source: `${SDK}.max_tokens_per_page; N: Max Tokens Per Page; ${SPEC}.max_tokens_per_page (1..1000000, default 4096)`,
		option: 'Options → Max Tokens per Page',
	},
	country: {
		evidence: ['S', 'N', 'D'],
		source: `${SDK}.country; N: Country; ${SPEC}.country (ISO 3166-1 alpha-2, 2 characters)`,
		option: 'Options → Country',
	},
	search_language_filter: {
		evidence: ['S', 'N', 'D'],
		source: `${SDK}.search_language_filter; N: Language Filter; ${SPEC}.search_language_filter (2-character codes, at most 20)`,
		option: 'Options → Language Filter',
	},
	search_domain_filter: {
		evidence: ['S', 'N', 'D'],
		source: `${SDK}.search_domain_filter; N: Domain Filter; D: SearchDomainFilter (at most 20, 253 characters each)`,
		option: 'Options → Domain Filter',
	},
	search_recency_filter: {
		evidence: ['S', 'N', 'D'],
		source: `${SDK}.search_recency_filter; N: Recency Filter; D: DateFilters.search_recency_filter`,
		option: 'Options → Recency',
	},
	search_after_date_filter: {
		evidence: ['S', 'D'],
		source: `${SDK}.search_after_date_filter; D: DateFilters (MM/DD/YYYY); N sends search_after_date`,
		option: 'Options → Published After',
	},
	search_before_date_filter: {
		evidence: ['S', 'D'],
		source: `${SDK}.search_before_date_filter; D: DateFilters (MM/DD/YYYY); N sends search_before_date`,
		option: 'Options → Published Before',
	},
	last_updated_after_filter: {
		evidence: ['S', 'D'],
		source: `${SDK}.last_updated_after_filter; D: DateFilters (MM/DD/YYYY)`,
		option: 'Options → Updated After',
	},
	last_updated_before_filter: {
		evidence: ['S', 'D'],
		source: `${SDK}.last_updated_before_filter; D: DateFilters (MM/DD/YYYY)`,
		option: 'Options → Updated Before',
	},
};

export const SEARCH_ENDPOINT: WireEndpoint = { name: 'the Search API', table: SEARCH_WIRE_FIELDS };
