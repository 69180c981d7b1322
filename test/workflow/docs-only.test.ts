import { chat, completions, runChat, useSandbox } from './support';

/**
 * Options that send Agent API fields only the docs name (Temperature, Top P, Force Web Search) may
 * be refused by the live API. The sandbox refuses them the way the API refuses an unknown field,
 * unless it runs with acceptDocsOnlyFields; the default request carries none of them.
 */

const env = useSandbox();

describe('docs-only Agent API fields', () => {
	it.each([
		['Temperature', { options: { temperature: 0.3 } }, 'temperature'],
		['Top P', { options: { topP: 0.7 } }, 'top_p'],
		['Force Web Search', { searchOptions: { alwaysSearch: true } }, 'tool_choice'],
	])('%s: the strict sandbox refuses the field with a 400', async (_name, extra, field) => {
		const { sandbox } = env;
		const refused = await runChat(sandbox, chat(extra));
		expect(refused.error?.message).toContain(`refused ${field}`);
		expect(completions(sandbox)[0].status).toBe(400);

		sandbox.configure({ acceptDocsOnlyFields: true });
		const accepted = await runChat(sandbox, chat(extra));
		expect(accepted.error).toBeUndefined();
		expect(completions(sandbox)[1]).toMatchObject({ status: 200 });
		expect(completions(sandbox)[1].body).toHaveProperty(field);
	});

	it('the default request carries none of them and is answered', async () => {
		const { sandbox } = env;
		const result = await runChat(sandbox, chat());
		expect(result.error).toBeUndefined();
		const [request] = completions(sandbox);
		expect(request.status).toBe(200);
		for (const field of ['temperature', 'top_p', 'tool_choice', 'max_results']) {
			expect(JSON.stringify(request.body)).not.toContain(`"${field}"`);
		}
	});
});
