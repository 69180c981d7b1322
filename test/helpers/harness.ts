/**
 * In-process n8n harness: runs the built package (dist/) through n8n-core's real execution
 * engine, the way n8n's own node tests do (their NodeTestHarness is not published; this rebuilds
 * its pattern on public exports):
 *
 * - the package is loaded by n8n-core's PackageDirectoryLoader through the `n8n` attribute of
 *   package.json, exactly as n8n loads a community package (node type
 *   `n8n-nodes-perplexity-chat.perplexityChat`, credential type `perplexityChatApi`);
 * - a real n8n-workflow `Workflow` is executed by n8n-core's `WorkflowExecute` with
 *   `ExecutionLifecycleHooks`; input items are injected as the input of the first node(s) through
 *   the node execution stack, as n8n does when it resumes or partially runs a workflow;
 * - credentials are served by HarnessCredentialsHelper, which applies the credential type's
 *   `authenticate` the way n8n's CredentialsHelper does, so requests carry the real header;
 * - streaming runs the way a webhook with response mode "Streaming" does: additionalData
 *   `streamingEnabled` plus a `sendChunk` hook handler, which makes `isStreaming()` true and
 *   collects every chunk the node sends.
 *
 * Build first: `npm run build`. The package is loaded once per test file.
 */
// First of all: the hermetic environment must be in place before n8n-core reads it.
import { removeUserFolder } from './env';

import { Container } from '@n8n/di';
import {
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	LoadOptionsContext,
	PackageDirectoryLoader,
	WorkflowExecute,
} from 'n8n-core';
// Not re-exported by n8n-core's index; n8n-core has no `exports` map, so the path is public.
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IConnections,
	IDataObject,
	IExecuteData,
	INode,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypes,
	IRun,
	IRunData,
	ITaskData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowIssues,
	IWorkflowSettings,
	StructuredChunk,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, NodeHelpers, Workflow } from 'n8n-workflow';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { HarnessCredentialsHelper } from './credentials';
import { allowOnlyLoopback } from './network';

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-perplexity-chat';
export const NODE_NAME = 'perplexityChat';
/** The node type as n8n knows an installed community node: `<package>.<node>`. */
export const NODE_TYPE = `${PACKAGE_NAME}.${NODE_NAME}`;
export const CREDENTIAL_TYPE = 'perplexityChatApi';
export const DEFAULT_NODE_NAME = 'Perplexity Chat';

/** The data of a `perplexityChatApi` credential; n8n fills in the default Base URL. */
export interface PerplexityCredentials {
	apiKey: string;
	baseUrl?: string;
}

/** One chunk the node sent with `sendChunk` (n8n's StructuredChunk without its metadata). */
export interface Chunk {
	type: StructuredChunk['type'];
	itemIndex: number;
	content?: string;
}

export interface RunOptions {
	/** Data of the `perplexityChatApi` credential; nodes of our type get it attached. */
	credentials?: PerplexityCredentials;
	/** Input items of the first node(s), as if from a previous node. Default: one empty item. */
	items?: INodeExecutionData[];
	/** Run as a streaming execution: `isStreaming()` is true and chunks are captured. */
	streaming?: boolean;
	/** Execution mode; default `webhook` when streaming (as n8n streams), else `manual`. */
	mode?: WorkflowExecuteMode;
	/** Cancels the execution when aborted (the node sees its execution cancel signal fire). */
	signal?: AbortSignal;
}

export interface RunNodeOptions extends RunOptions {
	/** The node's parameters, as in a workflow file; n8n fills in the defaults. */
	parameters: INode['parameters'];
	/** Node setting "On Error: Continue (using regular output)". */
	continueOnFail?: boolean;
	/** Anything else of the node: name, retryOnFail, maxTries, executeOnce, alwaysOutputData, … */
	node?: Partial<INode>;
}

export interface NodeRunResult {
	/** The node's main output 0 of its last run (items carry pairedItem); [] if it failed. */
	items: INodeExecutionData[];
	/** Every main output of its last run (output 1 is the error output of continueErrorOutput). */
	outputs: INodeExecutionData[][];
	/**
	 * The error the node's last run ended with: the very object the node threw (NodeApiError,
	 * NodeOperationError, …). Errors raised by the engine outside the node come as n8n stores them.
	 */
	error?: Error;
	/** The chunks this node streamed, in order. */
	chunks: Chunk[];
	/** Every run of this node (ITaskData), for hints, timing, metadata, … */
	runs: ITaskData[];
}

export interface RunResult extends NodeRunResult {
	/** The raw run data of the whole execution, by node name. */
	runData: IRunData;
	/** The full IRun n8n-core returned (undefined if the execution could not start). */
	run?: IRun;
	/** The execution status: success, error, canceled, … */
	status: IRun['status'] | 'not-started';
	/** The parameter issues n8n found when it refused to start the execution. */
	issues?: IWorkflowIssues;
	/** Every chunk of the execution as n8n-core sent it (with node name, run index, time). */
	streamed: StructuredChunk[];
	/** Node names in the order they finished. */
	executionOrder: string[];
}

export interface WorkflowRunResult extends Omit<RunResult, keyof NodeRunResult> {
	/** The same result per node name. */
	nodes: Record<string, NodeRunResult>;
	/** The error the execution ended with (the real object when a node threw it). */
	error?: Error;
}

/** A workflow as in a workflow file; nodes may leave out id, position, typeVersion and type. */
export interface WorkflowInput {
	name?: string;
	nodes: Array<Partial<INode> & Pick<INode, 'name'>>;
	connections: IConnections;
	settings?: IWorkflowSettings;
}

// ---------------------------------------------------------------------------------------------
// Loading the package, once per test file

class PackageNodeTypes implements INodeTypes {
	constructor(private readonly loader: PackageDirectoryLoader) {}

	/**
	 * `n8n-nodes-perplexity-chat.perplexityChat`, or the bare `perplexityChat` for short; with
	 * `Tool` appended, the node as n8n offers it to an AI Agent (see asTool).
	 */
	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const prefix = `${this.loader.packageName}.`;
		const name = nodeType.startsWith(prefix) ? nodeType.slice(prefix.length) : nodeType;
		const base = this.loader.nodeTypes[name.replace(/Tool$/, '')];
		if (
			name.endsWith('Tool') &&
			base &&
			'execute' in base.type &&
			base.type.description.usableAsTool
		) {
			return asTool(base.type);
		}
		const loaded = this.loader.nodeTypes[name];
		if (!loaded) {
			throw new Error(
				`Unknown node type "${nodeType}": the harness loads only ${Object.keys(
					this.loader.nodeTypes,
				)
					.map((known) => prefix + known)
					.join(', ')}`,
			);
		}
		return loaded.type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		const prefix = `${this.loader.packageName}.`;
		return Object.fromEntries(
			Object.entries(this.loader.known.nodes).map(([name, known]) => [prefix + name, known]),
		);
	}
}

/**
 * A node with `usableAsTool` under the name n8n gives its tool (`<name>Tool`): what n8n's
 * parameter resolution looks at for `@tool` display options, so the tool's parameters and their
 * defaults are the ones n8n uses. The agent's side (the tool call and its $fromAI arguments) is
 * not reproduced: a test hands the arguments in as the input item, where $fromAI reads them when
 * no agent is involved.
 */
function asTool(type: INodeType): INodeType {
	const tool = Object.create(type) as INodeType;
	tool.description = {
		...type.description,
		name: `${type.description.name}Tool`,
		displayName: `${type.description.displayName} Tool`,
	};
	return tool;
}

export interface LoadedPackage {
	loader: PackageDirectoryLoader;
	nodeTypes: PackageNodeTypes;
	credentialTypes: Record<string, ICredentialType>;
}

let loading: Promise<LoadedPackage> | undefined;

async function load(): Promise<LoadedPackage> {
	const { n8n } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[] };
	};
	const missing = (n8n?.nodes ?? []).filter((file) => !existsSync(path.join(PACKAGE_ROOT, file)));
	if (!n8n || missing.length > 0) {
		throw new Error(
			`The built package is missing (${missing.join(', ') || 'no n8n attribute'}): run \`npm run build\` first`,
		);
	}
	const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
	await loader.loadAll();
	const credentialTypes = Object.fromEntries(
		Object.entries(loader.credentialTypes).map(([name, { type }]) => [name, type]),
	);
	return {
		loader,
		nodeTypes: new PackageNodeTypes(loader),
		credentialTypes,
	};
}

/** Loads dist/ through the package's `n8n` attribute; cached for the test file. */
export async function loadPackage(): Promise<LoadedPackage> {
	loading ??= load();
	try {
		return await loading;
	} catch (error) {
		loading = undefined;
		throw error;
	}
}

// ---------------------------------------------------------------------------------------------
// Process hygiene: loopback only, no leftover timers, no leftover files

allowOnlyLoopback();

/**
 * n8n-core's SSHClientsManager (a DI singleton every execute context touches) starts a 60 s
 * interval timer in its constructor, which would keep jest alive. Create it up front and stop
 * the timer with its own shutdown method; it keeps working without it.
 */
function stopSshCleanupTimer(): void {
	Container.get(SSHClientsManager).onShutdown();
}
stopSshCleanupTimer();

if (typeof afterAll === 'function') afterAll(removeUserFolder);

// ---------------------------------------------------------------------------------------------
// Running

/** WorkflowExecute keeps only a copy of a node's error; this keeps the object the node threw. */
class ObservedWorkflowExecute extends WorkflowExecute {
	readonly thrown = new Map<string, Error>();

	async runNode(...args: Parameters<WorkflowExecute['runNode']>) {
		try {
			return await super.runNode(...args);
		} catch (error) {
			this.thrown.set(args[1].node.name, error as Error);
			throw error;
		}
	}
}

function completeNode(node: WorkflowInput['nodes'][number], options: RunOptions): INode {
	const complete: INode = {
		id: randomUUID(),
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...node,
	};
	const ours = [NODE_TYPE, NODE_NAME, `${NODE_TYPE}Tool`].includes(complete.type);
	if (ours && options.credentials && !complete.credentials) {
		complete.credentials = {
			[CREDENTIAL_TYPE]: { id: 'harness-credential', name: 'Perplexity Chat API (harness)' },
		};
	}
	return complete;
}

function toChunk({ type, content, metadata }: StructuredChunk): Chunk {
	const chunk: Chunk = { type, itemIndex: metadata.itemIndex };
	if (content !== undefined) chunk.content = content;
	return chunk;
}

/** Runs a workflow made of our node(s); the first node(s) receive `items`. */
export async function runWorkflow(
	input: WorkflowInput,
	options: RunOptions = {},
): Promise<WorkflowRunResult> {
	const { nodeTypes, credentialTypes } = await loadPackage();
	const streaming = options.streaming === true;
	const mode = options.mode ?? (streaming ? 'webhook' : 'manual');
	const executionId = randomUUID();

	const nodes = input.nodes.map((node) => completeNode(node, options));
	const settings: IWorkflowSettings = { executionOrder: 'v1', ...input.settings };
	const workflowData = {
		id: `harness-${executionId}`,
		name: input.name ?? 'Harness workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections: input.connections,
		settings,
	} satisfies IWorkflowBase;
	const workflow = new Workflow({ ...workflowData, nodeTypes });

	// One per run, so that runs in parallel can use different credentials.
	const credentialsHelper = new HarnessCredentialsHelper(
		credentialTypes,
		options.credentials
			? { [CREDENTIAL_TYPE]: { ...options.credentials } as ICredentialDataDecryptedObject }
			: {},
	);

	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executionOrder.push(nodeName);
	});
	// What n8n persists: on a cancel the hook reports `canceled` at once, while the promise of the
	// execution settles later, after the node in flight has returned.
	const reported: IRun[] = [];
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => {
		reported.push(fullRunData);
	});
	const streamed: StructuredChunk[] = [];
	// A sendChunk handler is what n8n's webhook streaming adds; isStreaming() needs one.
	if (streaming) hooks.addHandler('sendChunk', (chunk) => void streamed.push(chunk));

	const additionalData: IWorkflowExecuteAdditionalData = {
		hooks,
		credentialsHelper,
		executionId,
		currentNodeExecutionIndex: 0,
		streamingEnabled: streaming,
		variables: {},
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		externalSecretsProxy: new ExternalSecretsProxy(),
		executeWorkflow: async () => {
			throw new Error('The harness does not run sub-workflows');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('The harness has no task runners');
		},
	};

	// The first node(s): those no other node feeds. They get the items as their input.
	const items = options.items ?? [{ json: {} }];
	const startNodes = nodes.filter(
		(node) => workflow.getParentNodes(node.name, 'main', 1).length === 0,
	);
	const nodeExecutionStack: IExecuteData[] = startNodes.map((node) => ({
		node,
		data: { main: [structuredClone(items)] }, // the engine writes into its input
		source: null,
	}));
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack },
		resultData: { runData: {} },
	});

	const execute = new ObservedWorkflowExecute(additionalData, mode, runExecutionData);
	let run: IRun | undefined;
	let startError: Error | undefined;
	let issues: IWorkflowIssues | undefined;
	try {
		const execution = execute.processRunExecutionData(workflow);
		if (options.signal?.aborted) execution.cancel();
		options.signal?.addEventListener('abort', () => execution.cancel(), { once: true });
		run = await execution;
	} catch (error) {
		// e.g. WorkflowHasIssuesError: n8n refuses to start when required parameters are missing.
		startError = error as Error;
		const found = startNodes
			.map((node) => execute.checkReadyForExecution(workflow, { startNode: node.name }))
			.filter((entry): entry is IWorkflowIssues => entry !== null);
		if (found.length > 0) issues = Object.assign({}, ...found) as IWorkflowIssues;
	}
	const runData = run?.data.resultData.runData ?? {};
	const nodeResults: Record<string, NodeRunResult> = {};
	for (const node of nodes) {
		const runs = runData[node.name] ?? [];
		const last = runs.at(-1);
		nodeResults[node.name] = {
			items: last?.data?.main?.[0] ?? [],
			outputs: (last?.data?.main ?? []).map((output) => output ?? []),
			error: last?.error ? (execute.thrown.get(node.name) ?? last.error) : undefined,
			chunks: streamed.filter((chunk) => chunk.metadata.nodeName === node.name).map(toChunk),
			runs,
		};
	}

	let error: Error | undefined = startError;
	const executionError = run?.data.resultData.error;
	if (executionError) {
		const lastNode = run?.data.resultData.lastNodeExecuted;
		const thrown = lastNode ? execute.thrown.get(lastNode) : undefined;
		error = thrown && thrown.message === executionError.message ? thrown : executionError;
	}

	return {
		nodes: nodeResults,
		error,
		runData,
		run,
		status: reported[0]?.status ?? run?.status ?? 'not-started',
		issues,
		streamed,
		executionOrder,
	};
}

/** Runs our node alone on the given input items; the result is that node's. */
export async function runNode(options: RunNodeOptions): Promise<RunResult> {
	const { parameters, continueOnFail, node, ...runOptions } = options;
	const name = node?.name ?? DEFAULT_NODE_NAME;
	const result = await runWorkflow(
		{
			nodes: [
				{
					name,
					parameters,
					...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
					...node,
				},
			],
			connections: {},
		},
		runOptions,
	);
	const { nodes, error, ...rest } = result;
	const own = nodes[name];
	return { ...rest, ...own, error: own.error ?? error };
}

export interface SearchListOptions {
	/** The listSearch method, e.g. `searchModels`. */
	method: string;
	/** The node's parameters as the editor holds them while the list is open. */
	parameters: INode['parameters'];
	credentials: PerplexityCredentials;
	filter?: string;
	/** The parameter the list belongs to. */
	path?: string;
}

/**
 * Opens a resource locator list the way the editor does: n8n's LoadOptionsContext over the node,
 * with the parameters being edited as `currentNodeParameters`, calling the node's listSearch method.
 */
export async function searchList(options: SearchListOptions): Promise<INodeListSearchResult> {
	const { nodeTypes, credentialTypes } = await loadPackage();
	const node = completeNode({ name: DEFAULT_NODE_NAME, parameters: options.parameters }, options);
	const workflow = new Workflow({
		id: `harness-${randomUUID()}`,
		name: 'Harness list search',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: {},
	});
	const credentialsHelper = new HarnessCredentialsHelper(credentialTypes, {
		[CREDENTIAL_TYPE]: { ...options.credentials } as ICredentialDataDecryptedObject,
	});
	const additionalData = {
		credentialsHelper,
		currentNodeParameters: options.parameters,
		variables: {},
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		externalSecretsProxy: new ExternalSecretsProxy(),
	} as unknown as IWorkflowExecuteAdditionalData;
	const context = new LoadOptionsContext(
		workflow,
		node,
		additionalData,
		options.path ?? 'parameters.model',
	);
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const method = nodeType.methods?.listSearch?.[options.method];
	if (!method) throw new Error(`The node has no listSearch method "${options.method}"`);
	return await method.call(context, options.filter);
}
