import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');

// Workspace packages resolve to their TypeScript sources (the same `paths` jest and tsc use), so
// the app builds without the packages' dist/ and always from the current code.
const { compilerOptions } = JSON.parse(readFileSync(resolve(root, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const alias = Object.entries(compilerOptions.paths)
  .map(([find, [target]]) => ({
    find: new RegExp(`^${find.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
    replacement: resolve(root, target!),
  }))
  // Node-only entries (file system) are never part of the page.
  .filter(({ find }) => !/\/node\$$/.test(find.source));

export default defineConfig({
  base: './',
  resolve: { alias },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
    // wasm binaries stay files (never inlined as data: URLs), served from the app's own origin.
    assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
  },
  preview: { host: '127.0.0.1', port: 4173 },
  server: { host: '127.0.0.1' },
});
