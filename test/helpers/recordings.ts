import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The recorded real Perplexity traffic in `shared/reference/recordings/` (see its README): ground
 * truth for the sandbox's shapes and the node's mapping. Not part of this repository: CI clones the
 * repository with `shared/` beside it.
 */

// Recordings are arbitrary JSON; tests compare them field by field.
type Json = any;

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * `shared/reference/recordings` beside the repository, or beside a folder above it (a git
 * worktree lives one level deeper than the main checkout). Throws when there is none: the tests
 * that need it must not pass by finding nothing.
 */
export function recordingsDir(): string {
	for (let dir = REPO_ROOT; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
		const candidate = path.join(path.dirname(dir), 'shared', 'reference', 'recordings');
		if (existsSync(candidate)) return candidate;
	}
	throw new Error(
		`The recorded Perplexity traffic is missing: expected shared/reference/recordings beside ${REPO_ROOT} or a folder above it`,
	);
}

/** Every recording file (not the README), sorted. */
export function recordingFiles(): string[] {
	return readdirSync(recordingsDir())
		.filter((name) => name !== 'README.md')
		.sort();
}

export const recordingPath = (name: string): string => path.join(recordingsDir(), name);

export const readRecording = (name: string): Json =>
	JSON.parse(readFileSync(recordingPath(name), 'utf8'));

/** A `.chunks.txt` recording: one event JSON per line (the SSE envelope was stripped). */
export const readChunks = (name: string): Json[] =>
	readFileSync(recordingPath(name), 'utf8')
		.split('\n')
		.filter((line) => line.trim())
		.map((line) => JSON.parse(line));

/**
 * Every key path of a JSON value, array elements merged under `[]`: two values have the same shape
 * when their key paths are equal, whatever the values and the number of elements.
 */
export function keyPaths(value: Json): string[] {
	const out = new Set<string>();
	const walk = (v: Json, at: string) => {
		if (Array.isArray(v)) {
			for (const element of v) walk(element, `${at}[]`);
		} else if (v !== null && typeof v === 'object') {
			for (const [key, child] of Object.entries(v)) {
				const here = at ? `${at}.${key}` : key;
				out.add(here);
				walk(child, here);
			}
		}
	};
	walk(value, '');
	return [...out].sort();
}

/** Key paths of several values together. */
export const keyPathsOfAll = (values: Json[]): string[] =>
	[...new Set(values.flatMap((value) => keyPaths(value)))].sort();

/** Event types in order, a run of the same type counted once (deltas vary in number). */
export const eventOrder = (types: string[]): string[] =>
	types.filter((type, i) => i === 0 || types[i - 1] !== type);
