/**
 * Hermetic environment for n8n-core, applied on import. It must be imported before anything
 * creates n8n-core's configuration classes (InstanceSettings reads N8N_USER_FOLDER when it is
 * first constructed and writes its settings file there), so `harness.ts` imports it first.
 *
 * Under jest every test file has its own copy of `process.env` and its own module registry, so
 * each test file gets its own temporary user folder, removed again after the file's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const userFolder = mkdtempSync(join(tmpdir(), 'n8n-harness-'));

process.env.N8N_USER_FOLDER = userFolder;
// A fixed key: InstanceSettings then has nothing to generate, and credentials encrypt the same
// way in every run.
process.env.N8N_ENCRYPTION_KEY = 'n8n-nodes-perplexity-chat-harness';
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_VERSION_NOTIFICATIONS_ENABLED = 'false';
process.env.N8N_RUNNERS_ENABLED = 'false';
// n8n-core logs node errors through its ErrorReporter; keep test output clean unless asked for
// (N8N_LOG_LEVEL=debug npx jest … shows what the engine does).
process.env.N8N_LOG_LEVEL ??= 'silent';

export function removeUserFolder(): void {
	rmSync(userFolder, { recursive: true, force: true });
}
