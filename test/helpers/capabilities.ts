import * as fs from 'node:fs';

/**
 * What this n8n lacks for a feature, written for `npm run test:compat` (to E2E_CAPABILITIES_FILE
 * when it is set), which shows it in the README's table as missing rather than failed. `test`
 * is matched by the table's feature patterns.
 */
export function recordCapability(
	name: string,
	capability: { test: string; available: boolean; note: string },
): void {
	const file = process.env.E2E_CAPABILITIES_FILE;
	if (!file) return;
	const known = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
	fs.writeFileSync(file, JSON.stringify({ ...known, [name]: capability }, null, 2));
}
