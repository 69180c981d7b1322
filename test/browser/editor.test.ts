/**
 * The node in n8n's editor, in Debian's Chromium driven by playwright-core: a new user's first ten
 * minutes (find the node from an empty workflow, see the seed's fields, run it, read the answer,
 * find the tool under an AI Agent), the examples' parameters and output, the model list and the
 * Chat Trigger example. Every test opens its own browser context and workflow, so each can run on
 * its own (`-t`) and none depends on what an earlier one left on screen. Screenshots go to
 * test-results/screenshots/, which CI keeps.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import * as lib from '../../scripts/lib';
import type { Stack, WorkflowJson } from '../../scripts/lib';
import { askInEditorChat } from './chat';

jest.setTimeout(120_000);

const SCREENSHOTS = path.join(lib.REPO_ROOT, 'test-results', 'screenshots');
const EXAMPLE = '1-manual-trigger.json';
const CHAT_EXAMPLE = '4-chat-trigger.json';
const TRIGGER = 'When clicking ‘Execute workflow’';
const QUESTION = 'What is n8n and what do people use it for?';
const log = (message: string) => process.stderr.write(`[browser] ${message}\n`);

let stack: Stack;
let browser: Browser;
let suiteStarted = 0;

beforeAll(async () => {
	suiteStarted = Date.now();
	fs.mkdirSync(SCREENSHOTS, { recursive: true });
	const executablePath = await lib.ensureChromium({ log });
	stack = await lib.startStack({
		build: 'if-missing', // `npm run test:browser` has just built dist/
		log,
	});
	browser = await chromium.launch({ executablePath, args: lib.CHROMIUM_ARGS });
}, 30 * 60_000); // a first run on a fresh clone installs Node 24, n8n and maybe Chromium

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
	log(`suite done in ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s`);
});

const sandboxRequests = () => stack.sandbox!.requests();
const lastSeq = () => sandboxRequests().at(-1)?.seq ?? 0;

/**
 * A browser context of its own, signed in as the owner the REST client logged in as: n8n binds
 * its auth cookie to the browser-id sent at login, which the editor reads from localStorage.
 */
async function openContext(): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
	const { n8n } = stack;
	await context.addCookies([{ name: 'n8n-auth', value: n8n.cookie!, url: n8n.url }]);
	await context.addInitScript({
		content: `localStorage.setItem('n8n-browserId', ${JSON.stringify(n8n.browserId)});`,
	});
	const page = await context.newPage();
	page.setDefaultTimeout(30_000);
	return { context, page };
}

/**
 * Runs one test in a fresh, signed-in context; a failing test leaves a screenshot of what the
 * browser showed, named after the test.
 */
async function inBrowser(name: string, fn: (page: Page) => Promise<void>, signedIn = true) {
	const { context, page } = signedIn
		? await openContext()
		: await browser
				.newContext({ viewport: { width: 1440, height: 1000 } })
				.then(async (context) => ({ context, page: await context.newPage() }));
	try {
		await fn(page);
	} catch (error) {
		await page
			.screenshot({ path: path.join(SCREENSHOTS, `failed-${name}.png`), fullPage: true })
			.catch(() => undefined);
		throw error;
	} finally {
		await context.close();
	}
}

const shot = (page: Page, name: string) =>
	page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

async function createWorkflow(workflow: WorkflowJson): Promise<string> {
	const { id } = await stack.n8n.createWorkflow(workflow);
	return `${stack.n8n.url}/workflow/${id}`;
}

const withTriggerOnly = (): WorkflowJson => ({
	name: `browser: new workflow ${Date.now()}`,
	nodes: [
		{
			id: 'browser-trigger',
			name: TRIGGER,
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
	],
	connections: {},
});

const ndv = (page: Page) => page.locator('[data-test-id="ndv"]');
const param = (page: Page, name: string) =>
	ndv(page).locator(`[data-test-id="parameter-input-${name}"]`);

/** The labels of the node panel's parameters (a label's hover controls are on later lines). */
async function labels(page: Page): Promise<string[]> {
	const texts = await ndv(page).locator('[data-test-id="input-label"]').allInnerTexts();
	return texts.map((text) => text.split('\n')[0].trim());
}

async function chooseApi(page: Page, name: RegExp) {
	await param(page, 'api').click();
	await page.getByRole('option', { name }).click();
}

/** An entry of the open node creator (a node, or one of a node's actions), once shown. */
async function creatorItem(page: Page, name: string) {
	const item = page
		.locator('[data-test-id="node-creator-item-name"]')
		.filter({ hasText: new RegExp(`^${name}$`) })
		.first();
	await item.waitFor();
	return item;
}

/** Searches the open node creator and returns the entry found. */
async function pickFromCreator(page: Page, search: string, name: string) {
	await page.locator('[data-test-id="node-creator-search-bar"]').fill(search);
	return await creatorItem(page, name);
}

/**
 * The names the Options collection offers to add, read once the list shows an entry every API
 * offers (Reasoning Effort), and after it has closed again.
 */
async function optionsOffered(page: Page): Promise<string[]> {
	await ndv(page)
		.locator(
			'[data-test-id="collection-parameter-add"], [data-test-id="collection-parameter-add-dropdown"]',
		)
		.first()
		.click();
	// Only the collection's own entries: the page has other menus (the sidebar's icon-only items
	// read as empty names).
	const items = page.locator('[data-test-id="collection-parameter-option"]:visible');
	await items.filter({ hasText: 'Reasoning Effort' }).first().waitFor();
	const names = (await items.allInnerTexts()).map((name) => name.trim());
	await page.keyboard.press('Escape');
	await items.filter({ hasText: 'Reasoning Effort' }).first().waitFor({ state: 'hidden' });
	return names;
}

/**
 * What a person does in a new workflow: + on the Manual Trigger, search "Perplexity", pick
 * Perplexity Chat, then its "Create a chat completion" action; the node's panel opens.
 */
async function addPerplexityChat(page: Page, screenshot: string) {
	await page.goto(await createWorkflow(withTriggerOnly()));
	await page
		.locator('[data-test-id="canvas-node"]')
		.filter({ hasText: 'Execute workflow' })
		.locator('[data-test-id="canvas-handle-plus"]')
		.click();
	const found = await pickFromCreator(page, 'Perplexity', 'Perplexity Chat');
	await shot(page, screenshot);
	await found.click();
	// The node's page in the creator lists its actions, grouped by resource.
	await (await creatorItem(page, 'Create a chat completion')).click();
	await ndv(page).waitFor();
}

/** Picks an entry of a parameter's dropdown; entries read "name" then their description. */
async function choose(page: Page, parameter: string, name: string) {
	await param(page, parameter).click();
	await page.getByRole('option', { name: new RegExp(`^${name}`) }).click();
}

async function openNode(page: Page, name: string) {
	await page.locator('[data-test-id="canvas-node"]').filter({ hasText: name }).first().dblclick();
	await ndv(page).waitFor();
}

test('signs in with the owner created for the test', () =>
	inBrowser(
		'sign-in',
		async (page) => {
			await page.goto(`${stack.n8n.url}/signin`);
			await page.locator('input[name="emailOrLdapLoginId"]').fill(stack.owner.email);
			await page.locator('input[name="password"]').fill(stack.owner.password);
			await page.locator('[data-test-id="form-submit-button"]').click();
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
			expect(new URL(page.url()).pathname).not.toMatch(/signin|setup/);
		},
		false,
	));

test("first ten minutes: find Perplexity Chat, see the seed's fields, run it, read the answer", () =>
	inBrowser('first-ten-minutes', async (page) => {
		// 1. A new workflow with a Manual Trigger: + on the trigger, search "Perplexity".
		await addPerplexityChat(page, 'first-ten-minutes-1-search');

		// 2. The new node: the sandbox credential is picked, Max Tokens is in sight on the Agent API,
		// and the hint under it says where the other seed settings are.
		await ndv(page).waitFor();
		await param(page, 'maxTokens').waitFor();
		expect(await labels(page)).toEqual(
			expect.arrayContaining(['API', 'Model', 'Messages', 'Max Tokens']),
		);
		expect(
			await ndv(page)
				.locator('[data-test-id="node-credentials-select"] input')
				.first()
				.inputValue(),
		).toBe(stack.credential.name);
		await ndv(page)
			.getByText(/Top K, Frequency Penalty and Presence Penalty exist only/)
			.waitFor();
		await shot(page, 'first-ten-minutes-2-node');

		// 3. On Sonar all six of the seed's fields, with the seed's defaults.
		await chooseApi(page, /^Sonar Chat Completions/);
		await param(page, 'topK').waitFor();
		const seed = {
			maxTokens: '0',
			frequencyPenalty: '1.00',
			presencePenalty: '0.00',
			temperature: '0.20',
			topK: '0',
			topP: '0.90',
		};
		for (const [name, value] of Object.entries(seed)) {
			expect([name, await param(page, name).locator('input').first().inputValue()]).toEqual([
				name,
				value,
			]);
		}
		await page.mouse.move(0, 0); // a hovered label turns into its Fixed/Expression switch
		await shot(page, 'first-ten-minutes-3-sonar-fields');
		await chooseApi(page, /^Agent API/);
		await param(page, 'topK').waitFor({ state: 'detached' });

		// 4. Ask, run the step, read the answer in the Table view without scrolling sideways.
		await param(page, 'content').locator('textarea').fill(QUESTION);
		const since = lastSeq();
		await ndv(page).locator('[data-test-id="node-execute-button"]').first().click();
		const output = page.locator('[data-test-id="output-panel"]');
		await output.getByText('Table', { exact: true }).click();
		const answer = output
			.locator('td')
			.filter({ hasText: `You asked: "${QUESTION}"` })
			.first();
		await answer.waitFor();
		const headers = await output.locator('th').allInnerTexts();
		expect(headers[0].trim()).toBe('content');
		const panel = (await output.boundingBox())!;
		const cell = (await answer.boundingBox())!;
		expect(cell.x).toBeGreaterThanOrEqual(panel.x);
		expect(cell.x + cell.width).toBeLessThanOrEqual(panel.x + panel.width);
		await shot(page, 'first-ten-minutes-4-answer');

		// What went out is the default request, as before version 2.
		const [call] = sandboxRequests().filter((r) => r.seq > since && r.path === '/v1/agent');
		expect(call.body).toEqual({
			model: 'perplexity/sonar',
			input: [{ role: 'user', content: QUESTION }],
			tools: [{ type: 'web_search' }],
		});
	}));

test("first ten minutes: an AI Agent's Tools offer Perplexity Chat Tool, which asks for a question", () =>
	inBrowser('agent-tool', async (page) => {
		await page.goto(await createWorkflow(withTriggerOnly()));
		await page
			.locator('[data-test-id="canvas-node"]')
			.filter({ hasText: 'Execute workflow' })
			.locator('[data-test-id="canvas-handle-plus"]')
			.click();
		await (await pickFromCreator(page, 'AI Agent', 'AI Agent')).click();
		await ndv(page).waitFor();
		await page.locator('[data-test-id="ndv-close-button"]').click();
		await ndv(page).waitFor({ state: 'hidden' });

		await page
			.locator(
				'[data-test-id="canvas-node-input-handle"][data-connection-type="ai_tool"] [data-test-id="canvas-handle-plus"]',
			)
			.click();
		const tool = await pickFromCreator(page, 'Perplexity', 'Perplexity Chat Tool');
		await shot(page, 'first-ten-minutes-5-tool-search');
		await tool.click();

		await ndv(page).waitFor();
		// The prompt is left to the model, under one clearly named input, with what the tool is for.
		await ndv(page).getByText('Defined automatically by the model').waitFor();
		const description = await param(page, 'toolDescription').locator('textarea').inputValue();
		expect(description).toMatch(/current facts from the web .* sources/);
		expect(await labels(page)).toEqual(expect.arrayContaining(['Prompt', 'Return Full Response']));
		await page.mouse.move(0, 0);
		await shot(page, 'first-ten-minutes-6-tool');
	}));

test("the example's Perplexity Chat node shows the seed's parameters", () =>
	inBrowser('node-panel', async (page) => {
		await page.goto(
			await createWorkflow(lib.loadExample(EXAMPLE, { credential: stack.credential })),
		);
		// The canvas subtitle names the model.
		await page
			.locator('[data-test-id="canvas-node"]')
			.filter({ hasText: 'Perplexity Chat' })
			.getByText('sonar', { exact: true })
			.waitFor();
		await openNode(page, 'Perplexity Chat');
		await param(page, 'maxTokens').waitFor();
		expect(await param(page, 'api').locator('input').first().inputValue()).toBe('Agent API');
		expect(await param(page, 'maxTokens').locator('input').inputValue()).toBe('512');
		const messages = await param(page, 'content')
			.locator('textarea')
			.evaluateAll((areas) => areas.map((area) => (area as unknown as { value: string }).value));
		expect(messages).toEqual(['Be precise and concise. Cite your sources.', QUESTION]);

		// On the Agent API: Temperature and Top P under Options (docs-only), no Top K or penalties.
		const onAgent = await optionsOffered(page);
		expect(onAgent).toEqual(expect.arrayContaining(['Temperature', 'Top P']));
		expect(onAgent).not.toContain('Top K');
		expect(onAgent).not.toContain('Frequency Penalty');
		await page.mouse.move(0, 0);
		await shot(page, 'node-panel');

		await chooseApi(page, /^Sonar Chat Completions/);
		await param(page, 'topP').waitFor();
		expect(await labels(page)).toEqual(
			expect.arrayContaining([
				'Max Tokens',
				'Frequency Penalty',
				'Presence Penalty',
				'Temperature',
				'Top K',
				'Top P',
			]),
		);
		expect(await optionsOffered(page)).not.toContain('Temperature');
		await param(page, 'topP').scrollIntoViewIfNeeded();
		await page.mouse.move(0, 0);
		await shot(page, 'node-panel-sonar');
	}));

test('executing the example from the editor shows the answer first in the output', () =>
	inBrowser('execute', async (page) => {
		await page.goto(
			await createWorkflow(lib.loadExample(EXAMPLE, { credential: stack.credential })),
		);
		const since = lastSeq();
		await page.locator('[data-test-id="execute-workflow-button"]').click();
		// Both nodes, trigger and Perplexity Chat, end green.
		await page.locator('[data-test-id="canvas-node-status-success"]').nth(1).waitFor();
		const [call] = sandboxRequests().filter((r) => r.seq > since && r.path === '/v1/agent');
		expect(call).toEqual(expect.objectContaining({ status: 200, auth: 'ok' }));

		await openNode(page, 'Perplexity Chat');
		const output = page.locator('[data-test-id="output-panel"]');
		await output.getByText('JSON', { exact: true }).click();
		// The answer is the first field: in sight without scrolling. The sandbox quotes the question.
		await output.getByText(QUESTION).first().waitFor();
		const text = await output.innerText();
		expect(text.indexOf('"content"')).toBeGreaterThan(-1);
		expect(text.indexOf('"content"')).toBeLessThan(text.indexOf('"id"'));
		expect(text).toMatch(/"citations":/);
		await shot(page, 'output');
	}));

test("the model list loads from the credential's endpoint", () =>
	inBrowser('model-list', async (page) => {
		await page.goto(
			await createWorkflow(lib.loadExample(EXAMPLE, { credential: stack.credential })),
		);
		await openNode(page, 'Perplexity Chat');
		const since = lastSeq();
		await ndv(page).locator('[data-test-id="rlc-input"]').click();
		await page.locator('[data-test-id="rlc-search"]').fill('perplexity/');
		await page
			.locator('[data-test-id="rlc-item"]')
			.filter({ hasText: /^perplexity\/sonar$/ })
			.waitFor();
		const listed = sandboxRequests().filter((r) => r.seq > since && r.path === '/v1/models');
		expect(listed.length).toBeGreaterThanOrEqual(1);
		expect(listed[0]).toEqual(expect.objectContaining({ method: 'GET', status: 200 }));
		await shot(page, 'model-list');
	}));

test('the Chat Trigger example answers in the editor chat, with its sources', () =>
	inBrowser('chat', async (page) => {
		await page.goto(
			await createWorkflow(lib.loadExample(CHAT_EXAMPLE, { credential: stack.credential })),
		);
		const question = 'Why is the sky blue?';
		// The reply is the Set node's `output`: the sandbox's answer (quoting the question) and sources.
		const text = await askInEditorChat(page, question);
		expect(text).toContain(`You asked: "${question}"`);
		expect(text).toMatch(/\[1\] https:\/\//);
		await shot(page, 'chat');
	}));

test("switching Resource and Operation shows each operation's fields; a Search runs from the editor", () =>
	inBrowser('resources', async (page) => {
		await addPerplexityChat(page, 'resources-1-search');
		await param(page, 'maxTokens').waitFor();
		expect(await labels(page)).toEqual(expect.arrayContaining(['Resource', 'Operation', 'API']));

		const screens: Array<{
			resource: string;
			operation?: string;
			shows: string[];
			hides: string[];
		}> = [
			{ resource: 'Search', shows: ['Queries', 'Max Results', 'Output'], hides: ['API'] },
			{ resource: 'Embeddings', shows: ['Model', 'Text'], hides: ['Queries', 'API'] },
			{
				resource: 'Embeddings',
				operation: 'Create Contextualized Embeddings',
				shows: ['Model', 'Chunks'],
				hides: ['Text'],
			},
			{
				resource: 'Response',
				shows: ['Response ID', 'Wait for Completion'],
				hides: ['Model', 'Chunks'],
			},
			{ resource: 'Chat', shows: ['API', 'Model', 'Max Tokens'], hides: ['Response ID'] },
		];
		for (const { resource, operation, shows, hides } of screens) {
			if (operation) await choose(page, 'operation', operation);
			else await choose(page, 'resource', resource);
			const label = ndv(page).locator('[data-test-id="input-label"]');
			await label
				.filter({ hasText: new RegExp(`^${shows.at(-1)}`) })
				.first()
				.waitFor();
			const seen = await labels(page);
			expect([resource, operation, seen]).toEqual([
				resource,
				operation,
				expect.arrayContaining(shows),
			]);
			for (const hidden of hides) expect(seen).not.toContain(hidden);
			await page.mouse.move(0, 0);
			await shot(page, `resources-${resource}${operation ? '-contextualized' : ''}`.toLowerCase());
		}

		// Search: one query, run the step, read the pages in the Table view.
		await choose(page, 'resource', 'Search');
		await param(page, 'query')
			.locator('input, textarea')
			.first()
			.fill('fusion energy breakthroughs');
		const since = lastSeq();
		await ndv(page).locator('[data-test-id="node-execute-button"]').first().click();
		const output = page.locator('[data-test-id="output-panel"]');
		await output.getByText('Table', { exact: true }).click();
		await output.locator('th').filter({ hasText: /^url$/ }).first().waitFor();
		const headers = (await output.locator('th').allInnerTexts()).map((h) => h.trim());
		expect(headers).toEqual(expect.arrayContaining(['title', 'url', 'snippet', 'query']));
		const [call] = sandboxRequests().filter((r) => r.seq > since && r.path === '/search');
		expect(call).toEqual(
			expect.objectContaining({
				status: 200,
				body: expect.objectContaining({ query: 'fusion energy breakthroughs' }),
			}),
		);
		await shot(page, 'resources-search-output');
	}));
