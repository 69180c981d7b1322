/**
 * Options → Image through n8n-core's engine: an image from the item's binary data (read with n8n's
 * own binary helpers) or an HTTPS URL, as each API takes it, checked before anything is sent.
 */
import { createHash } from 'node:crypto';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode } from '../helpers/harness';
import { API_KEY, chat, completions, useSandbox } from './support';

const env = useSandbox();

/** A 1×1 PNG. */
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
	'base64',
);
/** The smallest GIF there is, for a second, different image. */
const GIF = Buffer.from('R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==', 'base64');

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const described = (type: string, bytes: Buffer) =>
	`You attached a ${type} image of ${bytes.length} bytes (SHA-256 ${sha(bytes)})`;

function withImage(bytes: Buffer, mimeType = 'image/png', field = 'data'): INodeExecutionData {
	return {
		json: {},
		binary: { [field]: { data: bytes.toString('base64'), mimeType, fileName: 'picture' } },
	};
}

const binaryImage = (binaryPropertyName?: string) => ({
	image: { values: { source: 'binary', ...(binaryPropertyName ? { binaryPropertyName } : {}) } },
});
const urlImage = (url: string) => ({ image: { values: { source: 'url', url } } });

interface Run {
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	typeVersion?: number;
}

/** Create Chat Completion in the node's current version (3), with the Chat resource. */
async function ask(
	parameters: INodeParameters,
	{ items, continueOnFail, typeVersion = 3 }: Run = {},
) {
	return await runNode({
		parameters: typeVersion >= 3 ? { resource: 'chat', ...chat(parameters) } : chat(parameters),
		node: { typeVersion },
		items,
		continueOnFail,
		credentials: { apiKey: API_KEY, baseUrl: env.sandbox.url },
	});
}

const answerOf = (json: IDataObject) => String(json.content);

/** The image a request carried, decoded from its data URL, and the text beside it. */
function sentImage(body: unknown): { text: string; type: string; bytes: Buffer } {
	const request = body as IDataObject;
	const messages = (request.input ?? request.messages) as IDataObject[];
	const [text, image] = messages.at(-1)?.content as IDataObject[];
	const raw = image.image_url as string | { url: string };
	const url = typeof raw === 'string' ? raw : raw.url;
	const match = /^data:([^;]+);base64,(.*)$/.exec(url);
	if (!match) throw new Error(`not a data URL: ${url.slice(0, 40)}`);
	return { text: String(text.text), type: match[1], bytes: Buffer.from(match[2], 'base64') };
}

describe('an image from the binary data of the item', () => {
	it.each([
		['agent', 'input_image'],
		['sonar', 'image_url'],
	])('reaches the %s API intact, with the question, as %s', async (api, partType) => {
		const result = await ask(
			{ api, prompt: 'What is in this picture?', options: binaryImage() },
			{ items: [withImage(PNG)] },
		);
		expect(result.error).toBeUndefined();
		const [request] = completions(env.sandbox);
		expect(request.status).toBe(200);
		const sent = sentImage(request.body);
		expect(sent).toEqual({ text: 'What is in this picture?', type: 'image/png', bytes: PNG });
		const messages = ((request.body as IDataObject).input ??
			(request.body as IDataObject).messages) as IDataObject[];
		expect((messages.at(-1)?.content as IDataObject[]).map((part) => part.type)).toEqual([
			api === 'agent' ? 'input_text' : 'text',
			partType,
		]);
		expect(answerOf(result.items[0].json)).toContain(described('PNG', PNG));
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('sends the type the bytes are in when the binary data says application/octet-stream', async () => {
		const result = await ask(
			{ options: binaryImage('download') },
			{ items: [withImage(GIF, 'application/octet-stream', 'download')] },
		);
		expect(result.error).toBeUndefined();
		expect(sentImage(completions(env.sandbox)[0].body).type).toBe('image/gif');
		expect(answerOf(result.items[0].json)).toContain(described('GIF', GIF));
	});

	it('sends each item its own image, in order and paired, whatever finishes first', async () => {
		const images = [PNG, GIF, PNG];
		const result = await ask(
			{ prompt: '={{ "Picture " + $itemIndex + ": what is it?" }}', options: binaryImage() },
			{ items: images.map((bytes, i) => withImage(bytes, i === 1 ? 'image/gif' : 'image/png')) },
		);
		expect(result.error).toBeUndefined();
		result.items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(answerOf(item.json)).toContain(`Picture ${i}: what is it?`);
			expect(answerOf(item.json)).toContain(described(i === 1 ? 'GIF' : 'PNG', images[i]));
		});
	});

	it('keeps the image on a retried request: a 500 first, then the answer', async () => {
		const result = await ask(
			{ prompt: 'What is this? [[sandbox:server_error times=1]]', options: binaryImage() },
			{ items: [withImage(PNG)] },
		);
		expect(result.error).toBeUndefined();
		const calls = completions(env.sandbox);
		expect(calls.map((call) => call.status)).toEqual([500, 200]);
		for (const call of calls) expect(sentImage(call.body).bytes).toEqual(PNG);
		expect(answerOf(result.items[0].json)).toContain(described('PNG', PNG));
	});

	it('is a version 2 option: version 2 sends it, version 1 has no such option', async () => {
		const v2 = await ask({ options: binaryImage() }, { items: [withImage(PNG)], typeVersion: 2 });
		expect(answerOf(v2.items[0].json)).toContain(described('PNG', PNG));
		env.sandbox.reset();
		const v1 = await ask({ options: binaryImage() }, { items: [withImage(PNG)], typeVersion: 1 });
		expect(v1.error).toBeUndefined();
		const [request] = completions(env.sandbox);
		expect((request.body as IDataObject).input).toEqual([
			{ role: 'user', content: 'What is new in fusion energy?' },
		]);
	});
});

describe('an image by URL', () => {
	it.each(['agent', 'sonar'])(
		'goes to the %s API as the address, for Perplexity to fetch',
		async (api) => {
			const url = 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus.jpg';
			const result = await ask({ api, options: urlImage(url) });
			expect(result.error).toBeUndefined();
			const body = completions(env.sandbox)[0].body as IDataObject;
			const last = ((body.input ?? body.messages) as IDataObject[]).at(-1) as IDataObject;
			expect((last.content as IDataObject[])[1]).toEqual(
				api === 'agent'
					? { type: 'input_image', image_url: url }
					: { type: 'image_url', image_url: { url } },
			);
			expect(answerOf(result.items[0].json)).toContain(`You attached the image at ${url}`);
		},
	);
});

describe('a bad image is refused before anything is sent', () => {
	const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n');

	it.each<[string, INodeParameters, INodeExecutionData, INodeExecutionData, string]>([
		[
			'an item without binary data',
			binaryImage(),
			withImage(PNG),
			{ json: {} },
			'Options → Image → Input Binary Field: the item has no binary data, so no image in "data" [item 2]',
		],
		[
			'a binary field that is not there',
			binaryImage('photo'),
			withImage(PNG, 'image/png', 'photo'),
			withImage(PNG, 'image/png', 'attachment'),
			'Options → Image → Input Binary Field: the item has no binary field "photo" (it has "attachment") [item 2]',
		],
		[
			'a PDF',
			binaryImage(),
			withImage(PNG),
			withImage(PDF, 'application/pdf'),
			'Options → Image → Input Binary Field: the binary field "data" (picture) is application/pdf, not a PNG, JPEG, WEBP or GIF image [item 2]',
		],
		[
			'a plain http address',
			urlImage('={{ $json.url }}'),
			{ json: { url: 'https://example.com/a.png' } },
			{ json: { url: 'http://example.com/a.png' } },
			'Options → Image → Image URL: "http://example.com/a.png" is not an https:// address [item 2]',
		],
	])(
		'%s: the error names the item and the field, and no item is sent',
		async (_name, options, good, bad, message) => {
			const result = await ask({ options }, { items: [good, good, bad] });
			expect(result.error?.message).toBe(message);
			expect((result.error as { description?: string }).description).toMatch(/\S/);
			expect(completions(env.sandbox)).toEqual([]);
		},
	);

	it('an image over 23 MiB: told how large, and that it does not fit a request', async () => {
		const big = Buffer.alloc(24 * 1024 * 1024);
		PNG.copy(big);
		const result = await ask({ options: binaryImage() }, { items: [withImage(big)] });
		expect(result.error?.message).toBe(
			'Options → Image → Input Binary Field: the image in "data" (picture) is 24.0 MiB: at most 23.0 MiB fits [item 0]',
		);
		expect((result.error as { description?: string }).description).toContain('32 MiB');
		expect(completions(env.sandbox)).toEqual([]);
	});

	it('with Continue On Fail, the bad item gets its error in place and the others their answers', async () => {
		const result = await ask(
			{ options: binaryImage() },
			{
				items: [withImage(PNG), withImage(PDF, 'application/pdf'), withImage(GIF, 'image/gif')],
				continueOnFail: true,
			},
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(answerOf(result.items[0].json)).toContain(described('PNG', PNG));
		expect(result.items[1].json).toMatchObject({
			error: expect.stringMatching(
				/^Options → Image → Input Binary Field: .* is application\/pdf.* \[item 1\]$/,
			),
			item: 1,
		});
		expect(answerOf(result.items[2].json)).toContain(described('GIF', GIF));
		expect(completions(env.sandbox)).toHaveLength(2);
	});
});
