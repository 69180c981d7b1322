/**
 * The recorded real Perplexity traffic in shared/reference/recordings (see its README), which
 * sits beside the clone, here and in CI. Tests that use it fail, never skip, when it is missing.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

const ROOT = path.resolve(__dirname, '..', '..');
const RECORDINGS = path.resolve(ROOT, '..', 'shared', 'reference', 'recordings');

export function recordingsDir(): string {
	if (!existsSync(path.join(RECORDINGS, 'README.md'))) {
		throw new Error(`The recordings are missing: looked in ${RECORDINGS}`);
	}
	return RECORDINGS;
}

/** Every recording file (not the README), sorted. */
export function recordingFiles(): string[] {
	return readdirSync(recordingsDir())
		.filter((name) => name !== 'README.md')
		.sort();
}

export const recordingPath = (file: string): string => path.join(recordingsDir(), file);

export function readRecording(file: string): IDataObject {
	return JSON.parse(readFileSync(recordingPath(file), 'utf8')) as IDataObject;
}

/** A `.chunks.txt` recording: one raw SSE event JSON per line, the `data:` envelope stripped. */
export function readChunks(file: string): string[] {
	return readFileSync(recordingPath(file), 'utf8')
		.split('\n')
		.filter((line) => line.trim() !== '');
}

/** The events of a `.chunks.txt` recording, parsed. */
export const readEvents = (file: string): IDataObject[] =>
	readChunks(file).map((line) => JSON.parse(line) as IDataObject);

/**
 * Every key path of a JSON value, array elements merged under `[]`: two values have the same shape
 * when their key paths are equal, whatever the values and the number of elements.
 */
export function keyPaths(value: unknown): string[] {
	const out = new Set<string>();
	const walk = (v: unknown, at: string) => {
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
export const keyPathsOfAll = (values: unknown[]): string[] =>
	[...new Set(values.flatMap((value) => keyPaths(value)))].sort();

/** Event types in order, a run of the same type counted once (deltas vary in number). */
export const eventOrder = (types: string[]): string[] =>
	types.filter((type, i) => i === 0 || types[i - 1] !== type);
