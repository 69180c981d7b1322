/**
 * The recorded real Perplexity traffic in shared/reference/recordings (see its README), which
 * sits beside the clone in CI and beside the team's worktrees here. Tests that use it fail,
 * never skip, when it is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

const ROOT = path.resolve(__dirname, '..', '..');
const CANDIDATES = [
	path.resolve(ROOT, '..', 'shared', 'reference', 'recordings'),
	path.resolve(ROOT, '..', '..', 'shared', 'reference', 'recordings'),
];

export function recordingsDir(): string {
	const found = CANDIDATES.find((dir) => existsSync(path.join(dir, 'README.md')));
	if (!found) {
		throw new Error(`The recordings are missing: looked in ${CANDIDATES.join(' and ')}`);
	}
	return found;
}

export function readRecording(file: string): IDataObject {
	return JSON.parse(readFileSync(path.join(recordingsDir(), file), 'utf8')) as IDataObject;
}

/** A `.chunks.txt` recording: one raw SSE event JSON per line, the `data:` envelope stripped. */
export function readChunks(file: string): string[] {
	return readFileSync(path.join(recordingsDir(), file), 'utf8')
		.split('\n')
		.filter((line) => line.trim() !== '');
}
