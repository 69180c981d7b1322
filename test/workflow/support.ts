import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode, type RunResult } from '../helpers/harness';
import { type RequestEntry, type Sandbox, startSandbox } from '../sandbox/server';

export const API_KEY = 'pplx-workflowtestkey0123456789';

/** One sandbox per test file, reset before every test. */
export function useSandbox(): { readonly sandbox: Sandbox } {
	const holder: { sandbox?: Sandbox } = {};
	beforeAll(async () => {
		holder.sandbox = await startSandbox({ port: 0, apiKey: API_KEY, quiet: true });
	});
	beforeEach(() => holder.sandbox?.reset());
	afterAll(async () => holder.sandbox?.stop());
	return {
		get sandbox() {
			if (!holder.sandbox) throw new Error('the sandbox is not running');
			return holder.sandbox;
		},
	};
}

export const model = (value: string) => ({ __rl: true, mode: 'id', value });

/** Create Chat Completion parameters: a prompt on the Agent API unless overridden. */
export function chat(overrides: INodeParameters = {}): INodeParameters {
	return {
		operation: 'complete',
		api: 'agent',
		model: model('sonar'),
		inputMode: 'prompt',
		prompt: 'What is new in fusion energy?',
		...overrides,
	};
}

export interface RunChatOptions {
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	streaming?: boolean;
	apiKey?: string;
}

export async function runChat(
	sandbox: Sandbox,
	parameters: INodeParameters,
	{ items, continueOnFail, streaming, apiKey = API_KEY }: RunChatOptions = {},
): Promise<RunResult> {
	return await runNode({
		parameters,
		items,
		continueOnFail,
		streaming,
		credentials: { apiKey, baseUrl: sandbox.url },
	});
}

export const itemsOf = (
	count: number,
	make: (index: number) => IDataObject = (index) => ({ index }),
) => Array.from({ length: count }, (_, index) => ({ json: make(index) }));

/** Requests that reached the answer-producing endpoints (not model lists or control calls). */
export const completions = (sandbox: Sandbox): RequestEntry[] =>
	sandbox.requests().filter((entry) => entry.method === 'POST');

/** Everything a user or a log could see of a run: items, the error with its details, chunks. */
export function visibleText(result: RunResult): string {
	const error = result.error as (Error & { description?: unknown; context?: unknown }) | undefined;
	return JSON.stringify({
		items: result.items,
		error: error && {
			message: error.message,
			description: error.description,
			context: error.context,
			stack: error.stack,
		},
		chunks: result.chunks,
		runs: result.runs,
	});
}

export function expectNoKey(result: RunResult): void {
	expect(visibleText(result)).not.toContain(API_KEY);
}
