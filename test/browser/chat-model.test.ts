/**
 * Perplexity Chat Model in n8n's editor, in Debian's Chromium driven by playwright-core: open an
 * AI Agent, add Perplexity Chat Model through the agent's Chat Model slot, pick a model from the
 * list the credential's endpoint (the sandbox) serves, chat, and see the answer with its sources.
 * Screenshots go to test-results/screenshots/ (the README's walkthrough uses them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

import * as lib from '../../scripts/lib';
import type { Stack } from '../../scripts/lib';
import { askInEditorChat, CHAT_BODY } from './chat';

// One test walks the whole journey a person makes, so it has the time of several.
jest.setTimeout(240_000);

const SCREENSHOTS = path.join(lib.REPO_ROOT, 'test-results', 'screenshots');
const LANGCHAIN = '@n8n/n8n-nodes-langchain';
const log = (message: string) => process.stderr.write(`[browser chat model] ${message}\n`);

let stack: Stack;
let browser: Browser;
let page: Page;
let workflowUrl: string;

beforeAll(async () => {
	fs.mkdirSync(SCREENSHOTS, { recursive: true });
	const executablePath = await lib.ensureChromium({ log });
	stack = await lib.startStack({ build: 'if-missing', log });
	// An agent with its trigger and a tool, and its Chat Model slot still empty.
	const workflow = await stack.n8n.createWorkflow({
		name: 'Browser: AI Agent, model to be chosen',
		nodes: [
			{
				id: 'browser-chat-trigger',
				name: 'When chat message received',
				type: `${LANGCHAIN}.chatTrigger`,
				typeVersion: 1.4,
				position: [0, 0],
				webhookId: 'browser-chat-model',
				parameters: { options: {} },
			},
			{
				id: 'browser-agent',
				name: 'AI Agent',
				type: `${LANGCHAIN}.agent`,
				typeVersion: 3.1,
				position: [260, 0],
				parameters: { options: {} },
			},
			{
				id: 'browser-calculator',
				name: 'Calculator',
				type: `${LANGCHAIN}.toolCalculator`,
				typeVersion: 1,
				position: [480, 240],
				parameters: {},
			},
		],
		connections: {
			'When chat message received': {
				main: [[{ node: 'AI Agent', type: 'main', index: 0 }]],
			},
			Calculator: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	});
	workflowUrl = `${stack.n8n.url}/workflow/${workflow.id}`;
	browser = await chromium.launch({ executablePath, args: lib.CHROMIUM_ARGS });
	page = await browser.newPage({ viewport: { width: 1440, height: 1300 } });
	page.setDefaultTimeout(30_000);
}, 30 * 60_000);

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
});

async function step(name: string, fn: () => Promise<void>) {
	try {
		await fn();
	} catch (error) {
		await page
			?.screenshot({
				path: path.join(SCREENSHOTS, `failed-chat-model-${name}.png`),
				fullPage: true,
			})
			.catch(() => undefined);
		throw error;
	}
}

const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
const ndv = () => page.locator('[data-test-id="ndv"]');
const sandboxRequests = () => stack.sandbox!.requests();

test("a new AI Agent's Chat Model slot: add Perplexity Chat Model, pick a model, chat, see the sources", async () => {
	await step('sign-in', async () => {
		await page.goto(`${stack.n8n.url}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(stack.owner.email);
		await page.locator('input[name="password"]').fill(stack.owner.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
		expect(new URL(page.url()).pathname).not.toMatch(/signin|setup/);
	});
	await step('add-model', async () => {
		await page.goto(workflowUrl);
		const slot = page.locator(
			'[data-test-id="canvas-node-input-handle"][data-connection-type="ai_languageModel"][data-node-name="AI Agent"]',
		);
		await slot.locator('[data-test-id="canvas-handle-plus"]').click();
		// The slot opens the node creator on Language Models; a search typed before that panel is
		// up searches the whole AI section instead (and lands in "Other AI Nodes").
		await page
			.locator('[data-test-id="nodes-list-header"]')
			.filter({ hasText: 'Language Models' })
			.waitFor();
		await page.locator('[data-test-id="node-creator-search-bar"]').fill('Perplexity');
		const item = page
			.locator('[data-test-id="node-creator-item-name"]')
			.filter({ hasText: /^Perplexity Chat Model$/ });
		await item.waitFor();
		await shot('chat-model-node-creator');
		// Clicked by its exact name: other Perplexity results may show for a moment while the search
		// settles, and the click waits for the item to hold still.
		await item.click();
		// An installed community node first shows its details, with a button that adds it.
		await page.getByRole('button', { name: 'Add to workflow' }).click();
		await ndv().waitFor();
		// The only Perplexity credential is picked for the new node.
		expect(
			await ndv().locator('[data-test-id="node-credentials-select"] input').first().inputValue(),
		).toBe(stack.credential.name);
	});
	await step('pick-model', async () => {
		const since = sandboxRequests().at(-1)?.seq ?? 0;
		await ndv().locator('[data-test-id="rlc-input"]').click();
		await page.locator('[data-test-id="rlc-search"]').fill('perplexity/');
		const item = page
			.locator('[data-test-id="rlc-item"]')
			.filter({ hasText: /^perplexity\/sonar$/ });
		await item.waitFor();
		const listed = sandboxRequests().filter((r) => r.seq > since && r.path === '/v1/models');
		expect(listed.length).toBeGreaterThanOrEqual(1);
		await shot('chat-model-model-list');
		await item.click();
		expect(await ndv().locator('[data-test-id="rlc-input"]').inputValue()).toBe('perplexity/sonar');
		await page.mouse.move(0, 0);
		await shot('chat-model-panel');
		await page.locator('[data-test-id="ndv-close-button"]').click();
		await ndv().waitFor({ state: 'hidden' });
		// The model now sits in the agent's slot on the canvas.
		await page
			.locator('[data-test-id="canvas-node"]')
			.filter({ hasText: 'Perplexity Chat Model' })
			.waitFor();
	});
	await step('chat', async () => {
		const since = sandboxRequests().at(-1)?.seq ?? 0;
		const question = 'What is 12 * 7 + 3? Use the calculator.';
		const text = await askInEditorChat(page, question);
		expect(text).toMatch(/The Calculator tool returned .*87/);
		expect(text).toContain(`You asked: "${question}"`);
		expect(text).toMatch(/\[1\] .*https:\/\//);
		const calls = sandboxRequests().filter((r) => r.seq > since && r.path === '/v1/agent');
		expect(calls.map((c) => [c.status, c.body.model])).toEqual([
			[200, 'perplexity/sonar'],
			[200, 'perplexity/sonar'],
		]);
		// The chat panel is short: one picture from the start of the answer, one of its sources
		// (a Markdown list, one a line).
		await page.mouse.move(0, 0);
		const body = page.locator(CHAT_BODY);
		await body
			.getByText(/The Calculator tool returned/)
			.last()
			.scrollIntoViewIfNeeded();
		await shot('chat-model-chat');
		await body.locator('li').last().scrollIntoViewIfNeeded();
		expect(await body.locator('li').count()).toBeGreaterThanOrEqual(3);
		await shot('chat-model-chat-sources');
	});
});
