import { defineConfig } from 'tsup';
import { preset } from '@wavemix/config/tsup-preset';

export default defineConfig(
  preset({
    index: 'src/index.ts',
    'node/index': 'src/node/index.ts',
    registry: 'src/registry.ts',
    'training/index': 'src/training/index.ts',
  }),
);
