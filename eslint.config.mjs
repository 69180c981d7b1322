import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import communityNodes from '@n8n/eslint-plugin-community-nodes';

// eslint-plugin-n8n-nodes-base still ships legacy (eslintrc) configs: their rule maps are spread
// into flat configs here, each over the files it was written for. The TypeScript parser reads
// package.json as a JSON document, which is the AST both plugins' package rules expect.
const parsed = { languageOptions: { parser: tsParser, sourceType: 'module' } };

// Three legacy rules contradict n8n's current community rules and are switched off here, as n8n's
// own starter does: documentation URLs of community credentials are full URLs (the legacy rule
// wants a camelCase slug of n8n's docs), and inputs/outputs use NodeConnectionTypes.Main, which
// @n8n/community-nodes/node-connection-type-literal requires (the legacy rules want 'main').
const OUTDATED = {
	'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
	'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
	'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
};

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test/**', 'scripts/**', 'examples/**'] },
	{
		...parsed,
		files: ['package.json'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		...parsed,
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.credentials.rules, ...OUTDATED },
	},
	{
		...parsed,
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.nodes.rules, ...OUTDATED },
	},
	{
		...communityNodes.configs.recommended,
		...parsed,
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
	},
	{ linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'error' } },
];
