// Shared jest configuration. Workspace packages resolve to their TypeScript sources, so tests
// never depend on a stale dist/ and a package can be tested before its dependencies are built.
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '../..');
const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));

const moduleNameMapper = {};
for (const [specifier, [target]] of Object.entries(base.compilerOptions.paths)) {
  const escaped = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  moduleNameMapper[`^${escaped}$`] = path.join(root, target);
}

/** @param {string} packageDir @param {import('jest').Config} [overrides] */
function preset(packageDir, overrides = {}) {
  return {
    rootDir: packageDir,
    testEnvironment: 'node',
    roots: ['<rootDir>/src'],
    testMatch: ['**/*.test.ts'],
    moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
    moduleNameMapper,
    transform: {
      '^.+\\.ts$': [
        require.resolve('ts-jest'),
        {
          tsconfig: path.join(root, 'tsconfig.base.json'),
          diagnostics: false,
        },
      ],
    },
    setupFiles: [path.join(__dirname, 'jest-setup.cjs')],
    testTimeout: 60_000,
    ...overrides,
  };
}

module.exports = { preset, root };
