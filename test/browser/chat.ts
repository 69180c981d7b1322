import type { Page } from 'playwright-core';

export const CHAT_BODY = '[data-test-id="canvas-chat-body"]';

/**
 * Asks a question in the editor's chat panel (the workflow's Chat Trigger) and returns the chat's
 * text once an answer with its sources has arrived.
 */
export async function askInEditorChat(page: Page, question: string): Promise<string> {
	await page.locator('[data-test-id="workflow-chat-button"]').click();
	const input = page.locator('[data-test-id="canvas-chat"] textarea').first();
	await input.fill(question);
	await input.press('Enter');
	const body = page.locator(CHAT_BODY);
	await body
		.getByText(/Sources:/)
		.first()
		.waitFor();
	return body.innerText();
}
