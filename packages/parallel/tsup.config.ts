import { defineConfig } from 'tsup';
import { preset } from '@wavemix/config/tsup-preset';

export default defineConfig(
  preset(
    { index: 'src/index.ts', worker: 'src/worker.ts' },
    {
      platform: 'node',
      esbuildOptions(options, context) {
        // __dirname (to find worker.js beside index.js): native in CommonJS, import.meta in ESM.
        if (context.format === 'esm') options.define = { ...options.define, __dirname: 'import.meta.dirname' };
      },
    },
  ),
);
