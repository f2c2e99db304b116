import { defineConfig } from 'tsup';
import { preset } from '@wavemix/config/tsup-preset';

export default defineConfig(
  preset({
    index: 'src/index.ts',
    base: 'src/base.ts',
    'testing/index': 'src/testing/index.ts',
    'node/index': 'src/node/index.ts',
  }),
);
