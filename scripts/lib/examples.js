'use strict';
/**
 * The workflows in examples/: what `npm run dev` imports and what the e2e and browser tests run.
 * The files carry no credentials (so they also import cleanly by hand); the credential is bound to
 * every node of this package when a workflow is loaded.
 */
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT } = require('./install');

const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const PACKAGE_NAME = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).name;
const NODE_TYPE = `${PACKAGE_NAME}.perplexityChat`;
const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
const MODEL_NODE_TYPE = `${PACKAGE_NAME}.lmChatPerplexity`;
const CREDENTIAL_TYPE = 'perplexityChatApi';

function listExamples() {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
}

/** Binds a credential ({ id, name }) to every node of this package in a workflow (in place). */
function bindCredential(workflow, credential) {
	for (const node of workflow.nodes) {
		if (node.type === NODE_TYPE || node.type === MODEL_NODE_TYPE) {
			node.credentials = { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } };
		}
	}
	return workflow;
}

/** A fresh copy of examples/<file>, with `credential` bound when given. */
function loadExample(file, { credential } = {}) {
	const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
	return credential ? bindCredential(workflow, credential) : workflow;
}

module.exports = {
	EXAMPLES_DIR,
	PACKAGE_NAME,
	NODE_TYPE,
	TOOL_NODE_TYPE,
	MODEL_NODE_TYPE,
	CREDENTIAL_TYPE,
	listExamples,
	bindCredential,
	loadExample,
};
