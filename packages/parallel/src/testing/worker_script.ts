import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Bundles src/worker.ts for tests (Node cannot run the TypeScript source in a worker); @wavemix/*
 * come from their sources, tfjs stays external. The bundle goes under node_modules/.cache so its
 * external imports resolve like the package's.
 */
export function buildTestWorker(): string {
  const packageDir = resolve(__dirname, '..', '..');
  const outDir = join(packageDir, 'node_modules', '.cache', 'wavemix-parallel-test');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `worker-${process.pid}.cjs`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [join(packageDir, 'src', 'worker.ts')],
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
