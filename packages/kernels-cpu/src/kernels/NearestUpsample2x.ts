import type { KernelConfig } from '@tensorflow/tfjs-core';
import { NearestUpsample2x, nearestUpsample2xImpl } from '@wavemix/core';
import { upsample2xCpuConfig } from './upsample2x_kernel';

export const nearestUpsample2xConfig: KernelConfig = upsample2xCpuConfig(
  NearestUpsample2x,
  'up',
  nearestUpsample2xImpl,
);
