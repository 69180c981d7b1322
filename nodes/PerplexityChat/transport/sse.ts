export interface SseEvent {
	event?: string;
	data: string;
}

/**
 * Incremental server-sent-events parser: feed it text as it arrives, in chunks cut anywhere, and
 * it returns the events completed so far. Handles LF and CRLF, multi-line data, comments and
 * `event:` lines (which some Perplexity recordings carry and others do not).
 */
export class SseParser {
	private buffer = '';

	private event: string | undefined;

	private data: string[] = [];

	push(text: string): SseEvent[] {
		this.buffer += text;
		const events: SseEvent[] = [];
		let newline: number;
		while ((newline = this.buffer.search(/\r\n|\r|\n/)) !== -1) {
			const line = this.buffer.slice(0, newline);
			const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
			// A lone \r at the end may be the first half of \r\n still on its way.
			if (width === 1 && this.buffer[newline] === '\r' && newline === this.buffer.length - 1) break;
			this.buffer = this.buffer.slice(newline + width);
			const event = this.line(line);
			if (event) events.push(event);
		}
		return events;
	}

	/** The stream is over: a last event without its blank line still counts. */
	end(): SseEvent[] {
		const events = this.buffer === '' ? [] : this.push('\n');
		const last = this.line('');
		return last ? [...events, last] : events;
	}

	private line(line: string): SseEvent | undefined {
		if (line === '') {
			if (this.data.length === 0) {
				this.event = undefined;
				return undefined;
			}
			const event: SseEvent = { data: this.data.join('\n') };
			if (this.event !== undefined) event.event = this.event;
			this.data = [];
			this.event = undefined;
			return event;
		}
		if (line.startsWith(':')) return undefined;
		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		if (field === 'data') this.data.push(value);
		else if (field === 'event') this.event = value;
		return undefined;
	}
}
