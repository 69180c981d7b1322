import { searchList } from '../helpers/harness';
import { API_KEY, useSandbox } from './support';

const env = useSandbox();

const open = (api: string, filter?: string, apiKey = API_KEY) =>
	searchList({
		method: 'searchModels',
		parameters: { operation: 'complete', api, model: { __rl: true, mode: 'list', value: '' } },
		credentials: { apiKey, baseUrl: env.sandbox.url },
		filter,
	});

describe('the Model list', () => {
	it('on the Agent API: presets, the live models of the credential’s endpoint, then Sonar names', async () => {
		const { results } = await open('agent');
		const values = results.map((result) => result.value);
		expect(values.slice(0, 5)).toEqual(['fast', 'low', 'medium', 'high', 'xhigh']);
		expect(results[0].description).toEqual(expect.any(String));
		expect(values).toEqual(expect.arrayContaining(['perplexity/sonar', 'openai/gpt-5.1']));
		expect(values.slice(-5)).toEqual([
			'sonar',
			'sonar-pro',
			'sonar-reasoning-pro',
			'sonar-deep-research',
			'sonar-reasoning',
		]);
		expect(results.find((result) => result.value === 'sonar-pro')?.name).toBe(
			'sonar-pro (runs as preset low)',
		);
		const [request] = env.sandbox.requests();
		expect(request).toMatchObject({ method: 'GET', path: '/v1/models', status: 200 });
	});

	it('filters by what the user types', async () => {
		const { results } = await open('agent', 'gpt');
		expect(results.length).toBeGreaterThan(0);
		expect(results.every((result) => String(result.value).includes('gpt'))).toBe(true);
	});

	it('on Sonar Chat Completions: the Sonar models, without asking the server', async () => {
		const { results } = await open('sonar');
		expect(results.map((result) => result.value)).toEqual([
			'sonar',
			'sonar-pro',
			'sonar-reasoning-pro',
			'sonar-deep-research',
			'sonar-reasoning',
		]);
		expect(env.sandbox.requests()).toEqual([]);
	});

	it('reports a list that cannot be loaded, without the key', async () => {
		env.sandbox.addFault({ fault: 'bad_gateway', match: { path: '/v1/models' } });
		await expect(open('agent')).rejects.toThrow(
			/^Perplexity API error 502 .*\[3 attempts, last status 502\]$/,
		);
	});
});
