import { defineConfig } from 'tsup';
import { preset } from '@wavemix/config/tsup-preset';

export default defineConfig(
  preset(
    {
      kernels: 'src/kernels.ts',
      'wavemix-bench': 'src/wavemix_bench.ts',
      'train-kernels': 'src/train_kernels.ts',
      roofline: 'src/roofline.ts',
      'webgpu-step-profile': 'src/step_profile.ts',
      workloads: 'src/workloads.ts',
    },
    { format: ['esm'], dts: false, platform: 'node', banner: { js: '#!/usr/bin/env node' } },
  ),
);
