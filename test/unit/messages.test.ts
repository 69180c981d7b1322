import { InputError } from '../../nodes/PerplexityChat/helpers/inputError';
import { parseMessagesJson, validateMessages } from '../../nodes/PerplexityChat/helpers/messages';

const seedExample = [
	{
		role: 'system',
		content: 'You are a friendly and helpful AI assistant. Please respond in Korean.',
	},
	{ role: 'user', content: "Hello, what's the weather like today?" },
	{ role: 'assistant', content: "Hello! I'm sorry, but I don't have access to real-time weather." },
	{ role: 'user', content: 'I see. Then please recommend a good restaurant.' },
];

function reason(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		return (error as InputError).message;
	}
	throw new Error('expected an InputError');
}

describe('validateMessages', () => {
	it("accepts the seed's example conversation unchanged", () => {
		expect(validateMessages(seedExample, 'Messages')).toEqual(seedExample);
	});

	it('accepts several system messages before the conversation', () => {
		const messages = [
			{ role: 'system', content: 'a' },
			{ role: 'system', content: 'b' },
			{ role: 'user', content: 'c' },
		];
		expect(validateMessages(messages, 'Messages')).toHaveLength(3);
	});

	it.each([
		[[], 'Messages: has no messages: add at least one user message'],
		[
			[{ role: 'bot', content: 'x' }],
			'Messages: message 0 has role "bot": use system, user or assistant',
		],
		[[{ content: 'x' }], 'Messages: message 0 has role null: use system, user or assistant'],
		[[{ role: 'user', content: '   ' }], 'Messages: message 0 (user) has empty content'],
		[[{ role: 'user', content: 42 }], 'Messages: message 0 (user) has no text content'],
		[['hello'], 'Messages: message 0 must be an object with role and content'],
		[
			[
				{ role: 'user', content: 'a' },
				{ role: 'system', content: 'b' },
				{ role: 'user', content: 'c' },
			],
			'Messages: message 1 (system) comes after a user message: system messages must come first',
		],
		[
			[
				{ role: 'assistant', content: 'a' },
				{ role: 'user', content: 'b' },
			],
			'Messages: message 0 (assistant): the first message after the system messages must be from the user',
		],
		[
			[
				{ role: 'user', content: 'a' },
				{ role: 'user', content: 'b' },
			],
			'Messages: message 1 (user) follows another user message: user and assistant messages must alternate',
		],
		[
			[
				{ role: 'user', content: 'a' },
				{ role: 'assistant', content: 'b' },
			],
			'Messages: the last message (message 1) is from the assistant: the last message must be from the user',
		],
	])('refuses %j', (messages, expected) => {
		expect(reason(() => validateMessages(messages as unknown[], 'Messages'))).toBe(expected);
	});
});

describe('parseMessagesJson', () => {
	it('takes an array as it is (from an expression)', () => {
		expect(parseMessagesJson(seedExample)).toBe(seedExample);
	});

	it('parses JSON text', () => {
		expect(parseMessagesJson(JSON.stringify(seedExample))).toEqual(seedExample);
	});

	it('names the field and the JSON problem', () => {
		expect(reason(() => parseMessagesJson('[{"role": "user",'))).toMatch(
			/^Messages \(JSON\): is not valid JSON \(.+\)$/,
		);
	});

	it('refuses an object, empty text and a number', () => {
		expect(reason(() => parseMessagesJson({ role: 'user' }))).toBe(
			'Messages (JSON): must be an array of messages, not an object',
		);
		expect(reason(() => parseMessagesJson(' '))).toBe('Messages (JSON): is empty');
		expect(reason(() => parseMessagesJson(5))).toBe(
			'Messages (JSON): must be an array of messages, not a number',
		);
	});
});
