// Types of the sandbox's public API, for the TypeScript tests that start it in-process. The
// JavaScript modules take their JSDoc types from here too, so this is the one definition.

export type Auth = 'ok' | 'missing' | 'invalid' | 'none';

export interface RequestEntry {
	seq: number;
	method: string;
	path: string;
	/** null while in flight, or when the client left before any response */
	status: number | null;
	/** the injected fault, or `rate_limiter` when the configured limiter answered 429 */
	fault: string | null;
	auth: Auth;
	stream: boolean;
	/** text of the last user message (or the Agent `input` string), directives included */
	prompt: string | null;
	/** parsed JSON body (raw text if it did not parse); null when `logBodies` is off */
	body: unknown;
	startedAt: number;
	endedAt: number | null;
}

export interface Stats {
	total: number;
	inFlight: number;
	byPath: Record<string, number>;
	byStatus: Record<string, number>;
	byFault: Record<string, number>;
}

export type FaultName =
	| 'rate_limit'
	| 'server_error'
	| 'bad_gateway'
	| 'unavailable'
	| 'reset'
	| 'malformed_json'
	| 'failed'
	| 'cancelled'
	| 'incomplete'
	| 'slow_first_byte'
	| 'stream_cut'
	| 'stream_error'
	| 'html_401'
	| 'fastapi_422'
	| 'bad_request'
	| 'replay';

export interface FaultMatch {
	/** exact path, or a prefix when it ends with `*` */
	path?: string;
	/** substring of the prompt */
	prompt?: string;
	/** `model`, `preset` or first of `models` */
	model?: string;
}

export interface FaultRule {
	fault: FaultName;
	/** how many matching requests get the fault; omitted or null: all of them */
	times?: number | null;
	match?: FaultMatch;
	/** rate_limit: seconds, sent as Retry-After */
	retryAfter?: number;
	/** rate_limit: milliseconds, sent as retry-after-ms */
	retryAfterMs?: number;
	/** slow_first_byte: the wait before any byte (default 2000) */
	delayMs?: number;
	/** error text for rate_limit, server_error, unavailable, bad_request, fastapi_422, failed */
	message?: string;
	/** failed: error.code / error.type */
	code?: string;
	type?: string;
	/** replay: a recorded `.json` body or `.chunks.txt` stream (one event JSON per line) */
	file?: string;
	/** replay: a body served as is (a string) or as JSON */
	body?: unknown;
	/** replay: stream events (JSON strings or objects), sent in the SSE envelope of the API */
	chunks?: unknown[];
	/** replay: CRLF line endings in the SSE envelope */
	crlf?: boolean;
	/** replay: write in pieces of 1-32 bytes cut by a PRNG with this seed */
	splitSeed?: number;
}

export interface StoredFault {
	id: number;
	fault: FaultName;
	times: number | null;
	/** uses left; null when unlimited */
	remaining: number | null;
	hits: number;
	match: FaultMatch;
	params: Record<string, unknown>;
}

export interface RateLimit {
	limit: number;
	windowMs: number;
}

export interface SandboxConfig {
	/** delay before each generated answer (POST agent/sonar/search) */
	latencyMs: number;
	/** how long background runs stay in progress */
	backgroundMs: number;
	logBodies: boolean;
	/** false prints one line per request (the CLI's default) */
	quiet: boolean;
	/** the server's own limiter; null advertises a limit it never enforces */
	rateLimit: RateLimit | null;
	/**
	 * Accept the Agent API fields only the docs name (temperature, top_p, tool_choice,
	 * parallel_tool_calls, max_tool_calls, filters.search_language_filter); off, they get the
	 * unknown-field 400 the live API may answer
	 */
	acceptDocsOnlyFields: boolean;
	/** Sonar streams end with `data: [DONE]` */
	sonarDone: boolean;
}

export interface StartOptions extends Partial<SandboxConfig> {
	/** 0 (default): a free port */
	port?: number;
	host?: string;
	apiKey?: string;
}

export interface Sandbox {
	url: string;
	port: number;
	apiKey: string;
	/** closes the server and every open socket */
	stop(): Promise<void>;
	/** clears the request log, counters, faults and runs; config back to the start options */
	reset(): void;
	/** the request log, optionally only entries with seq > since */
	requests(since?: number): RequestEntry[];
	stats(): Stats;
	/** returns the rule's id */
	addFault(rule: FaultRule): number;
	clearFaults(): void;
	faults(): StoredFault[];
	/** returns the whole config after the change */
	configure(partial: Partial<SandboxConfig>): SandboxConfig;
	config(): SandboxConfig;
}

export function startSandbox(options?: StartOptions): Promise<Sandbox>;
