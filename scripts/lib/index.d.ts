/** Types for the CommonJS helpers in this folder, for the TypeScript e2e and browser tests. */

export interface NodeInstall {
	node: string;
	binDir: string;
	home: string;
	version: string;
}

export interface N8nInstall {
	dir: string;
	bin: string;
	version: string;
	node: NodeInstall;
}

type Log = (message: string) => void;

export const REPO_ROOT: string;
export const CACHE_DIR: string;
export const DEFAULT_N8N_VERSION: string;
export function n8nVersion(): string;
export function pathWith(binDir: string, env?: NodeJS.ProcessEnv): string;
export function compareVersions(a: string, b: string): -1 | 0 | 1;
export function ensureNode(major: number, options?: { log?: Log }): Promise<NodeInstall>;
export function ensureN8n(options?: { version?: string; log?: Log }): Promise<N8nInstall>;
export function packPackage(options?: {
	build?: boolean | 'if-missing';
	log?: Log;
}): Promise<string>;
export function installPackage(options: {
	userFolder: string;
	tarball: string;
	node?: NodeInstall;
}): Promise<string>;

export interface RunResult {
	code: number;
	stdout: string;
	stderr: string;
}
export function run(
	command: string,
	args: string[],
	options?: {
		cwd?: string;
		env?: NodeJS.ProcessEnv;
		timeoutMs?: number;
		allowFailure?: boolean;
	},
): Promise<RunResult>;
export interface StartedProcess {
	pid: number;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
	stop(options?: { graceMs?: number }): Promise<void>;
	output(): string;
}
export function startProcess(
	command: string,
	args: string[],
	options?: {
		cwd?: string;
		env?: NodeJS.ProcessEnv;
		logFile?: string;
		onOutput?: (chunk: string) => void;
	},
): StartedProcess;
export function addSecret(value: string | undefined): void;
export function redact(text: string): string;
export function lastLines(text: string, n: number): string;

export interface Owner {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}
export const DEFAULT_OWNER: Owner;
export function freePort(): Promise<number>;
export function parseFlatted(text: string): unknown;
export function parseRunOutput(stdout: string): any;

/** An item as n8n stores it in run data. */
export interface RunItem {
	json: Record<string, any>;
	pairedItem?: { item: number; input?: number } | Array<{ item: number; input?: number }> | number;
	error?: unknown;
}
export function nodeItems(runOrData: any, nodeName: string, output?: number): RunItem[];

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Array<Record<string, any>>;
	connections: Record<string, any>;
	settings?: Record<string, any>;
	pinData?: Record<string, any>;
	active?: boolean;
	[key: string]: unknown;
}

export interface CredentialJson {
	id?: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
	finished?: boolean;
	workflowId: string;
	[key: string]: unknown;
}

export interface CliExecution {
	ok: boolean;
	exitCode: number;
	run: any;
	stdout: string;
	stderr: string;
}

/** An `n8n worker` process started by N8n.startWorker. */
export interface N8nWorker {
	/** worker-1, worker-2, … */
	name: string;
	logFile: string;
	pid: number;
	output(): string;
	stop(): Promise<void>;
}

export class N8n {
	constructor(options: {
		install: N8nInstall;
		userFolder?: string;
		port?: number;
		listenAddress?: string;
		env?: Record<string, string>;
		echo?: boolean;
		log?: Log;
	});
	readonly url: string;
	readonly userFolder: string;
	readonly logFile: string;
	readonly browserId: string;
	port: number;
	cookie: string | undefined;
	env(brokerPort: number): NodeJS.ProcessEnv;
	start(options?: { timeoutMs?: number }): Promise<this>;
	startWorker(options?: { concurrency?: number; timeoutMs?: number }): Promise<N8nWorker>;
	stop(): Promise<void>;
	output(): string;
	request(method: string, urlPath: string, options?: { body?: unknown }): Promise<any>;
	ensureOwner(owner?: Owner): Promise<Owner>;
	login(owner: { email: string; password: string }): Promise<void>;
	createCredential(credential: CredentialJson): Promise<{ id: string; name: string; type: string }>;
	listCredentials(): Promise<Array<{ id: string; name: string; type: string }>>;
	updateCredential(id: string, credential: CredentialJson): Promise<unknown>;
	testCredential(credential: {
		id?: string;
		name?: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<{ status: 'OK' | 'Error'; message: string }>;
	createWorkflow(workflow: WorkflowJson): Promise<{ id: string; versionId: string; name: string }>;
	updateWorkflow(id: string, changes: Partial<WorkflowJson>): Promise<any>;
	listWorkflows(): Promise<Array<{ id: string; name: string; active: boolean }>>;
	getWorkflow(id: string): Promise<any>;
	activateWorkflow(id: string): Promise<any>;
	deactivateWorkflow(id: string): Promise<any>;
	callWebhook(
		webhookPath: string,
		options?: { method?: string; body?: unknown; timeoutMs?: number },
	): Promise<{ status: number; headers: Headers; body: any }>;
	nodeTypes(): Promise<Array<{ name: string; displayName: string; version: number | number[] }>>;
	listExecutions(workflowId: string): Promise<ExecutionSummary[]>;
	getExecution(id: string): Promise<ExecutionSummary & { data: any }>;
	waitForExecutions(
		workflowId: string,
		options?: { count?: number; timeoutMs?: number },
	): Promise<ExecutionSummary[]>;
	cli(args: string[], options?: { allowFailure?: boolean; timeoutMs?: number }): Promise<RunResult>;
	importCredentials(credentials: CredentialJson[]): Promise<void>;
	importWorkflows(workflows: WorkflowJson[]): Promise<void>;
	executeWorkflow(id: string, options?: { timeoutMs?: number }): Promise<CliExecution>;
}

export const EXAMPLES_DIR: string;
export const PACKAGE_NAME: string;
/** `n8n-nodes-perplexity-chat.perplexityChat` */
export const NODE_TYPE: string;
/** `n8n-nodes-perplexity-chat.perplexityChatTool` */
export const TOOL_NODE_TYPE: string;
/** `n8n-nodes-perplexity-chat.lmChatPerplexity` */
export const MODEL_NODE_TYPE: string;
export const CREDENTIAL_TYPE: string;
export function listExamples(): string[];
export function bindCredential(
	workflow: WorkflowJson,
	credential: { id: string; name: string },
): WorkflowJson;
export function loadExample(
	file: string,
	options?: { credential?: { id: string; name: string } },
): WorkflowJson;

/** What test/sandbox/server.js's startSandbox() returns, as far as these helpers use it. */
export interface Sandbox {
	url: string;
	requests(): SandboxRequest[];
	reset(): void;
	addFault(fault: Record<string, unknown>): void;
	configure(partial: {
		latencyMs?: number;
		rateLimit?: { limit: number; windowMs: number } | null;
	}): unknown;
	stop(): Promise<void>;
}
export interface SandboxRequest {
	seq: number;
	method: string;
	path: string;
	status: number | null;
	fault: string | null;
	auth: 'ok' | 'missing' | 'invalid' | 'none';
	stream: boolean;
	prompt: string | null;
	body: any;
	startedAt: number;
	endedAt: number | null;
}

export const SANDBOX_API_KEY: string;
export const LIVE_BASE_URL: string;
/** PostgreSQL and Redis for queue mode, with this run's own database and key prefix. */
export interface QueueServices {
	folder: string;
	database: string;
	prefix: string;
	postgres: { host: string; port: number; user: string; password?: string };
	redis: { host: string; port: number };
	/** Whether each server is the machine's (standard port) or started by this run. */
	origin: { postgres: 'machine' | 'own'; redis: 'machine' | 'own' };
	/** The queue-mode environment every n8n process of the run gets. */
	env: Record<string, string>;
	stop(): Promise<void>;
}
export function startQueueServices(options: {
	install: N8nInstall;
	own?: boolean;
	log?: Log;
}): Promise<QueueServices>;
export function aptInstall(packages: string[], options?: { log?: Log }): Promise<void>;

export interface Stack {
	install: N8nInstall;
	n8n: N8n;
	/** Queue mode only. */
	services: QueueServices | undefined;
	workers: N8nWorker[];
	sandbox: Sandbox | undefined;
	credential: { id: string; name: string; type: string };
	owner: Owner;
	stop(): Promise<void>;
}
export function startStack(options?: {
	userFolder?: string;
	port?: number;
	listenAddress?: string | null;
	build?: boolean | 'if-missing';
	apiKey?: string;
	baseUrl?: string;
	sandboxPort?: number;
	sandboxQuiet?: boolean;
	credentialName?: string;
	echo?: boolean;
	queue?: { workers: number; concurrency: number };
	env?: Record<string, string>;
	log?: Log;
}): Promise<Stack>;
export function upsertCredential(
	n8n: N8n,
	credential: CredentialJson,
): Promise<{ id: string; name: string; type: string }>;

/** Chromium flags that work here (no sandbox as root, no GPU, no background traffic). */
export const CHROMIUM_ARGS: string[];
export function ensureChromium(options?: { log?: Log }): Promise<string>;
