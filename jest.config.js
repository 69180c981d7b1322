/** Five suites, run one at a time by scripts/test-all.js; each can also be run alone. */
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

const project = (name, extra = {}) => ({
	displayName: name,
	testEnvironment: 'node',
	transform: tsJest,
	testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
	// The n8n installs under .cache/ have a package.json each, all named alike: not modules of ours.
	modulePathIgnorePatterns: ['<rootDir>/.cache/'],
	...extra,
});

module.exports = {
	projects: [
		project('unit', {
			testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/sandbox/**/*.test.ts'],
		}),
		project('workflow'),
		project('e2e'),
		project('queue'),
		project('browser'),
	],
};
