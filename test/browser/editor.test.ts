/**
 * The node in n8n's editor, in Debian's Chromium driven by playwright-core: sign in, open the
 * example workflow, see the seed's parameters, run the workflow and read the answer in the output
 * panel, and load the model list from the credential's endpoint (the sandbox). Screenshots go to
 * test-results/screenshots/, which CI keeps.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

import * as lib from '../../scripts/lib';
import type { Stack } from '../../scripts/lib';

jest.setTimeout(90_000);

const SCREENSHOTS = path.join(lib.REPO_ROOT, 'test-results', 'screenshots');
const EXAMPLE = '1-manual-trigger.json';
const CHAT_EXAMPLE = '4-chat-trigger.json';
const log = (message: string) => process.stderr.write(`[browser] ${message}\n`);

let stack: Stack;
let browser: Browser;
let page: Page;
let workflowUrl: string;
let chatWorkflowUrl: string;
let suiteStarted = 0;

beforeAll(async () => {
	suiteStarted = Date.now();
	fs.mkdirSync(SCREENSHOTS, { recursive: true });
	const executablePath = await lib.ensureChromium({ log });
	stack = await lib.startStack({
		build: 'if-missing', // `npm run test:browser` has just built dist/
		log,
	});
	const workflow = await stack.n8n.createWorkflow(
		lib.loadExample(EXAMPLE, { credential: stack.credential }),
	);
	workflowUrl = `${stack.n8n.url}/workflow/${workflow.id}`;
	const chat = await stack.n8n.createWorkflow(
		lib.loadExample(CHAT_EXAMPLE, { credential: stack.credential }),
	);
	chatWorkflowUrl = `${stack.n8n.url}/workflow/${chat.id}`;
	browser = await chromium.launch({ executablePath, args: lib.CHROMIUM_ARGS });
	page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
	page.setDefaultTimeout(30_000);
}, 30 * 60_000); // a first run on a fresh clone installs Node 24, n8n and maybe Chromium

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
	log(`suite done in ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s`);
});

/** Runs one step of the UI flow; a failing step leaves a screenshot of what the browser showed. */
async function step(name: string, fn: () => Promise<void>) {
	try {
		await fn();
	} catch (error) {
		await page
			?.screenshot({ path: path.join(SCREENSHOTS, `failed-${name}.png`), fullPage: true })
			.catch(() => undefined);
		throw error;
	}
}

const ndv = () => page.locator('[data-test-id="ndv"]');
const sandboxRequests = () => stack.sandbox!.requests();

async function openPerplexityNode() {
	await page
		.locator('[data-test-id="canvas-node"]')
		.filter({ hasText: 'Perplexity Chat' })
		.dblclick();
	await ndv().waitFor();
}

test('signs in with the owner created for the test', () =>
	step('sign-in', async () => {
		await page.goto(`${stack.n8n.url}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(stack.owner.email);
		await page.locator('input[name="password"]').fill(stack.owner.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
		expect(new URL(page.url()).pathname).not.toMatch(/signin|setup/);
	}));

/** The names the Options collection offers to add, read from its "Add Option" list. */
async function optionsOffered(): Promise<string[]> {
	// n8n shows a collection's "Add" control as a select or, in newer editors, as a dropdown menu.
	const add = ndv()
		.locator(
			'[data-test-id="collection-parameter-add"], [data-test-id="collection-parameter-add-dropdown"]',
		)
		.first();
	await add.click();
	const items = page.locator('.el-select-dropdown__item:visible, [role="menuitem"]:visible');
	await items.first().waitFor();
	const names = (await items.allInnerTexts()).map((name) => name.trim());
	await page.keyboard.press('Escape');
	return names;
}

async function chooseApi(name: RegExp) {
	await ndv().locator('[data-test-id="parameter-input-api"]').click();
	await page.getByRole('option', { name }).click();
}

test("the example's Perplexity Chat node shows the seed's parameters", () =>
	step('node-panel', async () => {
		await page.goto(workflowUrl);
		await openPerplexityNode();
		const panel = ndv();
		for (const name of ['api', 'model', 'inputMode', 'maxTokens']) {
			await panel.locator(`[data-test-id="parameter-input-${name}"]`).waitFor();
		}
		const labels = await panel.locator('[data-test-id="input-label"]').allInnerTexts();
		// A label's text also holds its hover controls ("Fixed", "Expression"): keep the first line.
		const shown = labels.map((l) => l.split('\n')[0].trim());
		for (const label of ['API', 'Model', 'Messages', 'Max Tokens']) {
			expect(shown).toContain(label);
		}
		expect(
			await panel.locator('[data-test-id="node-credentials-select"] input').first().inputValue(),
		).toBe(stack.credential.name);
		expect(
			await panel.locator('[data-test-id="parameter-input-api"] input').first().inputValue(),
		).toBe('Agent API');
		expect(
			await panel.locator('[data-test-id="parameter-input-maxTokens"] input').inputValue(),
		).toBe('512');
		const contents = panel.locator('[data-test-id="parameter-input-content"] textarea');
		const messages = await contents.evaluateAll((areas) =>
			areas.map((area) => (area as unknown as { value: string }).value),
		);
		expect(messages).toEqual([
			'Be precise and concise. Cite your sources.',
			'What is n8n and what do people use it for?',
		]);
		// The Agent API has no Top K and no penalties: the panel says so and does not offer them.
		await panel
			.getByText(/^Top K, Frequency Penalty and Presence Penalty exist only on Sonar/)
			.waitFor();
		const onAgent = await optionsOffered();
		expect(onAgent).not.toEqual(expect.arrayContaining(['Top K']));
		expect(onAgent).not.toEqual(expect.arrayContaining(['Frequency Penalty']));
		await page.screenshot({ path: path.join(SCREENSHOTS, 'node-panel.png') });

		await chooseApi(/^Sonar Chat Completions/);
		expect(await optionsOffered()).toEqual(
			expect.arrayContaining(['Frequency Penalty', 'Presence Penalty', 'Top K']),
		);
		await panel.locator('[data-test-id="parameter-input-maxTokens"]').scrollIntoViewIfNeeded();
		await page.mouse.move(0, 0); // a hovered label turns into its Fixed/Expression switch
		await page.screenshot({ path: path.join(SCREENSHOTS, 'node-panel-options.png') });
		await chooseApi(/^Agent API/);
	}));

test('executing the workflow from the editor shows the answer in the output panel', () =>
	step('execute', async () => {
		if (await ndv().isVisible()) await page.locator('[data-test-id="ndv-close-button"]').click();
		await ndv().waitFor({ state: 'hidden' });
		const since = sandboxRequests().at(-1)?.seq ?? 0;
		await page.locator('[data-test-id="execute-workflow-button"]').click();
		// Both nodes, trigger and Perplexity Chat, end green.
		await page.locator('[data-test-id="canvas-node-status-success"]').nth(1).waitFor();
		const [call] = sandboxRequests().filter((r) => r.seq > since && r.path === '/v1/agent');
		expect(call).toEqual(expect.objectContaining({ status: 200, auth: 'ok' }));

		await openPerplexityNode();
		const output = page.locator('[data-test-id="output-panel"]');
		await output.getByText('JSON', { exact: true }).click();
		// The JSON view renders only the lines in sight: scroll down to the answer, which comes after
		// the citations and search results. The sandbox's answer quotes the question.
		const answer = output.getByText('What is n8n and what do people use it for?');
		await output.locator('[data-test-id="ndv-data-container"]').hover();
		for (let i = 0; i < 40 && (await answer.count()) === 0; i++) {
			await page.mouse.wheel(0, 400);
			await page.waitForTimeout(100);
		}
		await answer.first().scrollIntoViewIfNeeded();
		await answer.first().waitFor();
		const text = await output.innerText();
		expect(text).toMatch(/"finish_reason":\s*"stop"/);
		expect(text).toMatch(/"role":\s*"assistant"/);
		await page.screenshot({ path: path.join(SCREENSHOTS, 'output.png') });
	}));

test("the model list loads from the credential's endpoint", () =>
	step('model-list', async () => {
		const panel = ndv();
		const since = sandboxRequests().at(-1)?.seq ?? 0;
		await panel.locator('[data-test-id="rlc-input"]').click();
		await page.locator('[data-test-id="rlc-search"]').fill('perplexity/');
		const item = page
			.locator('[data-test-id="rlc-item"]')
			.filter({ hasText: /^perplexity\/sonar$/ });
		await item.waitFor();
		const listed = sandboxRequests().filter((r) => r.seq > since && r.path === '/v1/models');
		expect(listed.length).toBeGreaterThanOrEqual(1);
		expect(listed[0]).toEqual(expect.objectContaining({ method: 'GET', status: 200 }));
		await page.screenshot({ path: path.join(SCREENSHOTS, 'model-list.png') });
	}));

test('the Chat Trigger example answers in the editor chat, with its sources', () =>
	step('chat', async () => {
		await page.goto(chatWorkflowUrl);
		await page.locator('[data-test-id="workflow-chat-button"]').click();
		const question = 'Why is the sky blue?';
		const input = page.locator('[data-test-id="canvas-chat"] textarea').first();
		await input.fill(question);
		await input.press('Enter');
		const body = page.locator('[data-test-id="canvas-chat-body"]');
		// The reply is the Set node's `output`: the sandbox's answer (quoting the question) and sources.
		await body
			.getByText(/Sources:/)
			.first()
			.waitFor();
		const text = await body.innerText();
		expect(text).toContain(`You asked: "${question}"`);
		expect(text).toMatch(/\[1\] https:\/\//);
		await page.screenshot({ path: path.join(SCREENSHOTS, 'chat.png') });
	}));
