import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const packageDir = resolve(__dirname, '..', '..');

/**
 * Bundles a TypeScript entry for a worker thread (Node cannot run the sources there); @wavemix/*
 * come from their sources, tfjs stays external. Bundles go under node_modules/.cache so their
 * external imports resolve like the package's.
 */
function bundle(entry: string, name: string): string {
  const outDir = join(packageDir, 'node_modules', '.cache', 'wavemix-parallel-test');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${name}-${process.pid}.cjs`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    tsconfig: join(packageDir, '..', '..', 'tsconfig.base.json'),
    external: ['@tensorflow/*', 'fflate'],
    logLevel: 'error',
  });
  return outfile;
}

/** src/worker.ts, bundled. */
export function buildTestWorker(): string {
  return bundle(join(packageDir, 'src', 'worker.ts'), 'worker');
}

/**
 * @wavemix/layers from its sources, for a worker's `imports` (the default `@wavemix/layers` would
 * load the package's built dist/).
 */
export function buildTestLayers(): string {
  return bundle(join(packageDir, '..', 'layers', 'src', 'index.ts'), 'layers');
}
