// The real-browser suite (tests/browser): serves the built app (dist/, made by `vite build`) and
// drives Debian's Chromium through @wavemix/browser-harness. Run with `npm run test:browser`.
const path = require('node:path');
const { preset, root } = require('@wavemix/config/jest-preset');

const base = preset(__dirname);
module.exports = {
  ...base,
  roots: ['<rootDir>/tests/browser'],
  testMatch: ['**/*.browser.test.ts'],
  moduleNameMapper: {
    ...base.moduleNameMapper,
    // The harness from its sources (like every workspace package under jest).
    '^@wavemix/browser-harness$': path.join(root, 'tools/browser-harness/src/index.ts'),
  },
  // pixelmatch 7 ships ESM only: let ts-jest turn it into CommonJS like our own files.
  transform: {
    ...base.transform,
    'node_modules/pixelmatch/.+\\.js$': [
      require.resolve('ts-jest'),
      { tsconfig: { allowJs: true, module: 'commonjs', esModuleInterop: true }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!pixelmatch/)'],
  testTimeout: 240_000,
  maxWorkers: 1,
};
