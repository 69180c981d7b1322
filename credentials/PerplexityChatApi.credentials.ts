import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

// The most common cause is a Base URL copied with /v1 at its end: the test then asks /v1/v1/agent.
const NOT_FOUND =
	'No Agent API (/v1/agent) at this Base URL. If the Base URL ends in /v1, remove the /v1: the node adds the path itself (e.g. https://api.perplexity.ai).';

export class PerplexityChatApi implements ICredentialType {
	name = 'perplexityChatApi';

	displayName = 'Perplexity Chat API';

	icon = {
		light: 'file:../nodes/PerplexityChat/perplexity.svg',
		dark: 'file:../nodes/PerplexityChat/perplexity.dark.svg',
	} as const;

	documentationUrl = 'https://docs.perplexity.ai/guides/getting-started';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Create one under Settings → API in your Perplexity account',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.perplexity.ai',
			placeholder: 'https://api.perplexity.ai',
			description:
				'Change it only to go through a gateway, a proxy or a Perplexity-compatible endpoint. Without /v1 at the end: the node adds /v1/agent or /chat/completions itself.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// GET /v1/models answers without a key, so it cannot tell a good key from a bad one. Instead
	// the test posts a body the Agent API must refuse: Perplexity checks the key before the body,
	// so a good key gets a 400 validation error (no model runs, no tokens are billed) and a bad key
	// gets a 401. Status errors are read from the body rather than thrown, so that the 400 counts
	// as success; the rules turn the answers that mean "not this key" or "not this endpoint" into
	// failures with a message that says which.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/agent',
			method: 'POST',
			body: { input: '' },
			ignoreHttpStatusErrors: true,
			json: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.type',
					value: 'invalid_api_key',
					message: 'Perplexity rejected the API key',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.code',
					value: 401,
					message: 'Perplexity rejected the API key',
				},
			},
			{
				// Perplexity's edge proxy answers some bad keys with an HTML page: the body is then a
				// string, and a string's first character is its key '0'.
				type: 'responseSuccessBody',
				properties: {
					key: '0',
					value: '<',
					message:
						'The endpoint answered with an HTML page, not the API: check the API key and Base URL',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.code',
					value: 403,
					message: 'Perplexity refused this API key access to the Agent API',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'error.code',
					value: 404,
					message: NOT_FOUND,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'detail',
					value: 'Not Found',
					message: NOT_FOUND,
				},
			},
		],
	};
}
