// @ts-check
const { readFileSync } = require('node:fs');

const { compilerOptions } = JSON.parse(readFileSync(`${__dirname}/tsconfig.base.json`, 'utf8'));

/** Maps the tsconfig path aliases (`@aftersales/*`) to their sources so tests run without a build. */
const moduleNameMapper = Object.fromEntries(
  Object.entries(/** @type {Record<string, string[]>} */ (compilerOptions.paths)).map(([alias, [target]]) => [
    `^${alias}$`,
    `<rootDir>/${target}`,
  ]),
);

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper,
  // Type checking is `npm run typecheck`'s job; transpiling only keeps the suite fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // `npm run build` writes a compiled copy of the workspaces (their package.json files included) to dist/.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.unit.spec.ts', '<rootDir>/test/contract/**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.spec.ts', '<rootDir>/test/e2e/**/*.e2e.spec.ts'],
      // Service output goes to a file per test file and is printed only for failing tests.
      testEnvironment: '<rootDir>/libs/testing/src/jest-environment.ts',
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-setup.ts'],
    },
  ],
};
