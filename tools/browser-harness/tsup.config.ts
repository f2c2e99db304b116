import { defineConfig } from 'tsup';
import { preset } from '@wavemix/config/tsup-preset';

// The library (reusable by other apps) and the kernel runner, a Node CLI; both ESM-only Node code.
export default defineConfig([
  preset(
    { index: 'src/index.ts' },
    {
      platform: 'node',
      shims: true,
      external: [/^@tensorflow\//, /^@wavemix\//, /^node:/, 'playwright-core', 'esbuild'],
    },
  ),
  {
    entry: { 'kernels/run': 'kernels/run.ts', 'onnx/run': 'onnx/run.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    shims: true,
    clean: false,
    sourcemap: true,
    external: ['playwright-core', 'esbuild'],
  },
]);
