import { InputError } from '../../nodes/PerplexityChat/helpers/inputError';
import {
	checkImageBytes,
	imageDataUrl,
	MAX_IMAGE_BYTES,
	readImageOption,
	sniffImageType,
} from '../../nodes/PerplexityChat/helpers/images';
import { attachImage, buildRequest } from '../../nodes/PerplexityChat/helpers/requests';
import { resolveChatSettings } from '../../nodes/PerplexityChat/helpers/settings';
import { rawChatParameters } from '../helpers/chatParameters';

const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
	'base64',
);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const WEBP = Buffer.concat([
	Buffer.from('RIFF'),
	Buffer.from([0x24, 0, 0, 0]),
	Buffer.from('WEBPVP8 '),
]);
const PDF = Buffer.from('%PDF-1.7\n');

const image = (values: Record<string, unknown>) => ({ values });

describe('the Image option', () => {
	it('reads a binary field (data unless named) or an https address', () => {
		expect(readImageOption(undefined, 'agent')).toBeUndefined();
		expect(readImageOption({}, 'agent')).toBeUndefined();
		expect(readImageOption(image({ source: 'binary' }), 'agent')).toEqual({
			source: 'binary',
			property: 'data',
		});
		expect(readImageOption(image({ binaryPropertyName: ' photo ' }), 'sonar')).toEqual({
			source: 'binary',
			property: 'photo',
		});
		expect(
			readImageOption(image({ source: 'url', url: ' https://example.com/a.png ' }), 'agent'),
		).toEqual({ source: 'url', url: 'https://example.com/a.png' });
	});

	it.each([
		[{ source: 'binary', binaryPropertyName: ' ' }, 'agent', /Input Binary Field: is empty/],
		[{ source: 'url', url: '' }, 'agent', /Image URL: is empty/],
		[{ source: 'url', url: 'http://example.com/a.png' }, 'agent', /is not an https:\/\/ address/],
		[{ source: 'url', url: 'example.com/a.png' }, 'sonar', /is not an https:\/\/ address/],
		[
			{ source: 'url', url: 'data:image/png;base64,iVBORw0KGgo=' },
			'sonar',
			/is not an https:\/\/ address/,
		],
		[
			{ source: 'url', url: `https://example.com/${'a'.repeat(2030)}.png` },
			'agent',
			/is 2054 characters long: the Agent API takes at most 2048/,
		],
		[{ source: 'file' }, 'agent', /Source: must be binary or url, got "file"/],
	])('refuses %j on %s', (values, api, message) => {
		const read = () => readImageOption(image(values), api as 'agent' | 'sonar');
		expect(read).toThrow(InputError);
		expect(read).toThrow(message);
	});

	it('lets a long address through on Sonar, which has no such limit', () => {
		const url = `https://example.com/${'a'.repeat(3000)}.png`;
		expect(readImageOption(image({ source: 'url', url }), 'sonar')).toEqual({ source: 'url', url });
	});
});

describe('image bytes', () => {
	it.each([
		['image/png', PNG],
		['image/jpeg', JPEG],
		['image/gif', GIF],
		['image/webp', WEBP],
	])('knows %s by its magic number', (type, bytes) => {
		expect(sniffImageType(bytes)).toBe(type);
		expect(checkImageBytes('data', bytes, { mimeType: 'application/octet-stream' })).toBe(type);
	});

	it('declares the type the bytes are in, not the one the binary data claims', () => {
		expect(checkImageBytes('data', PNG, { mimeType: 'image/jpeg' })).toBe('image/png');
	});

	it.each([
		[
			PDF,
			{ mimeType: 'application/pdf', fileName: 'report.pdf' },
			'the binary field "data" (report.pdf) is application/pdf, not a PNG, JPEG, WEBP or GIF image',
		],
		[
			PDF,
			{ mimeType: 'image/png' },
			'the binary field "data" says image/png, but its bytes are not a PNG, JPEG, WEBP or GIF image',
		],
		[PDF, {}, 'the binary field "data" is of an unknown type, not a PNG, JPEG, WEBP or GIF image'],
		[Buffer.alloc(0), { mimeType: 'image/png' }, 'the binary field "data" is empty'],
	])('refuses bytes that are no image it takes', (bytes, declared, reason) => {
		expect(() => checkImageBytes('data', bytes, declared)).toThrow(
			`Options → Image → Input Binary Field: ${reason}`,
		);
	});

	it('refuses an image over 23 MiB, the largest whose base64 leaves room in a 32 MiB request', () => {
		const big = Buffer.alloc(MAX_IMAGE_BYTES + 1024 * 1024);
		PNG.copy(big);
		expect(() => checkImageBytes('data', big, { fileName: 'scan.png' })).toThrow(
			'the image in "data" (scan.png) is 24.0 MiB: at most 23.0 MiB fits',
		);
		expect(() => checkImageBytes('data', big.subarray(0, MAX_IMAGE_BYTES + 1), {})).toThrow(
			InputError,
		);
		const largest = big.subarray(0, MAX_IMAGE_BYTES);
		expect(checkImageBytes('data', largest, {})).toBe('image/png');
		expect(imageDataUrl('image/png', largest).length).toBeLessThan(31 * 1024 * 1024);
	});

	it('makes the data URL of the docs', () => {
		expect(imageDataUrl('image/png', PNG)).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
	});
});

describe('the image in the request', () => {
	const conversation = {
		version: 2,
		inputMode: 'messages',
		messages: {
			values: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'Hi' },
				{ role: 'assistant', content: 'Hello!' },
				{ role: 'user', content: 'What is in this chart?' },
			],
		},
	};

	it('goes with the last user message, after its text, as each API takes it', () => {
		const url = 'https://example.com/chart.png';
		const options = { image: image({ source: 'url', url }) };
		const agent = buildRequest(
			resolveChatSettings(rawChatParameters({ ...conversation, options })),
		);
		expect(agent.input).toEqual([
			{ role: 'system', content: 'Be brief.' },
			{ role: 'user', content: 'Hi' },
			{ role: 'assistant', content: 'Hello!' },
			{
				role: 'user',
				content: [
					{ type: 'input_text', text: 'What is in this chart?' },
					{ type: 'input_image', image_url: url },
				],
			},
		]);
		const sonar = buildRequest(
			resolveChatSettings(rawChatParameters({ ...conversation, api: 'sonar', options })),
		);
		expect((sonar.messages as unknown[]).at(-1)).toEqual({
			role: 'user',
			content: [
				{ type: 'text', text: 'What is in this chart?' },
				{ type: 'image_url', image_url: { url } },
			],
		});
	});

	it('from binary data: nothing until its bytes are read, then the same part with a data URL', () => {
		const options = { image: image({ source: 'binary', binaryPropertyName: 'data' }) };
		const settings = resolveChatSettings(rawChatParameters({ ...conversation, options }));
		expect(settings.image).toEqual({ source: 'binary', property: 'data' });
		const body = buildRequest(settings);
		expect((body.input as unknown[]).at(-1)).toEqual({
			role: 'user',
			content: 'What is in this chart?',
		});
		const url = imageDataUrl('image/png', PNG);
		const attached = attachImage('agent', body, url);
		expect((attached.input as unknown[]).at(-1)).toEqual({
			role: 'user',
			content: [
				{ type: 'input_text', text: 'What is in this chart?' },
				{ type: 'input_image', image_url: url },
			],
		});
		// The prepared body itself is left as it was.
		expect((body.input as unknown[]).at(-1)).toEqual({
			role: 'user',
			content: 'What is in this chart?',
		});
	});

	it('is a version 2 option: version 1 leaves it alone', () => {
		const options = { image: image({ source: 'url', url: 'https://example.com/a.png' }) };
		expect(resolveChatSettings(rawChatParameters({ options })).image).toBeUndefined();
	});
});
