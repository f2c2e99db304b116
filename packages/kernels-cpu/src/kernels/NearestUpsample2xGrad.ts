import type { KernelConfig } from '@tensorflow/tfjs-core';
import { NearestUpsample2xGrad, nearestUpsample2xGradImpl } from '@wavemix/core';
import { upsample2xCpuConfig } from './upsample2x_kernel';

export const nearestUpsample2xGradConfig: KernelConfig = upsample2xCpuConfig(
  NearestUpsample2xGrad,
  'down',
  nearestUpsample2xGradImpl,
);
