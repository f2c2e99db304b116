import { defineConfig } from 'tsup';
import { preset } from '@wavemix/config/tsup-preset';

export default defineConfig(
  preset(
    { cli: 'src/cli.ts', index: 'src/index.ts' },
    { format: ['esm'], dts: false, platform: 'node', banner: { js: '#!/usr/bin/env node' } },
  ),
);
