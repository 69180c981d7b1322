import type { ChatMessage, MessageRole } from './interfaces';
import { InputError } from './inputError';
import { parseJson } from './validation';

const ROLES: readonly MessageRole[] = ['system', 'user', 'assistant'];

const JSON_HINT =
	'Give an array like [{"role": "system", "content": "…"}, {"role": "user", "content": "…"}]';

/** Reads the Messages (JSON) parameter: an array from an expression, or JSON text. */
export function parseMessagesJson(value: unknown, field = 'Messages (JSON)'): unknown[] {
	let parsed = value;
	if (typeof value === 'string') {
		if (value.trim() === '') throw new InputError(field, 'is empty', JSON_HINT);
		const result = parseJson(value);
		if ('problem' in result)
			throw new InputError(field, `is not valid JSON (${result.problem})`, JSON_HINT);
		parsed = result.value;
	}
	if (!Array.isArray(parsed)) {
		throw new InputError(field, `must be an array of messages, not ${describe(parsed)}`, JSON_HINT);
	}
	return parsed;
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Messages are numbered from 0, as n8n numbers items ("[item 0]") and as the JSON array indexes
 * them, so that "message 2 [item 0]" points at messages[2] of the first item.
 *
 * Checks what Perplexity checks, before anything is sent: known roles, text content, system
 * messages first, then user and assistant taking turns, and a user message last.
 */
export function validateMessages(raw: unknown[], field: string): ChatMessage[] {
	if (raw.length === 0)
		throw new InputError(field, 'has no messages: add at least one user message');
	const messages = raw.map((entry, index) => toMessage(entry, index, field));

	let previous: MessageRole | undefined;
	messages.forEach(({ role }, index) => {
		const position = `message ${index} (${role})`;
		if (role === 'system') {
			if (previous !== undefined && previous !== 'system') {
				throw new InputError(
					field,
					`${position} comes after a ${previous} message: system messages must come first`,
				);
			}
		} else if (previous === undefined || previous === 'system') {
			if (role !== 'user') {
				throw new InputError(
					field,
					`${position}: the first message after the system messages must be from the user`,
				);
			}
		} else if (role === previous) {
			throw new InputError(
				field,
				`${position} follows another ${role} message: user and assistant messages must alternate`,
			);
		}
		previous = role;
	});

	const last = messages[messages.length - 1];
	if (last.role !== 'user') {
		throw new InputError(
			field,
			`the last message (message ${messages.length - 1}) is from the ${last.role}: the last message must be from the user`,
		);
	}
	return messages;
}

function toMessage(entry: unknown, index: number, field: string): ChatMessage {
	const position = `message ${index}`;
	if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
		throw new InputError(field, `${position} must be an object with role and content`, JSON_HINT);
	}
	const { role, content } = entry as { role?: unknown; content?: unknown };
	if (typeof role !== 'string' || !ROLES.includes(role as MessageRole)) {
		throw new InputError(
			field,
			`${position} has role ${JSON.stringify(role ?? null)}: use system, user or assistant`,
		);
	}
	if (typeof content !== 'string') {
		throw new InputError(field, `${position} (${role}) has no text content`);
	}
	if (content.trim() === '') throw new InputError(field, `${position} (${role}) has empty content`);
	return { role: role as MessageRole, content };
}
