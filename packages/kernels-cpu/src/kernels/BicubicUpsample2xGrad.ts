import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BicubicUpsample2xGrad, bicubicUpsample2xGradImpl } from '@wavemix/core';
import { upsample2xCpuConfig } from './upsample2x_kernel';

export const bicubicUpsample2xGradConfig: KernelConfig = upsample2xCpuConfig(
  BicubicUpsample2xGrad,
  'down',
  bicubicUpsample2xGradImpl,
);
