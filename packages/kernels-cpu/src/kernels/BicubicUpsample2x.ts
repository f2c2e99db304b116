import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BicubicUpsample2x, bicubicUpsample2xImpl } from '@wavemix/core';
import { upsample2xCpuConfig } from './upsample2x_kernel';

export const bicubicUpsample2xConfig: KernelConfig = upsample2xCpuConfig(
  BicubicUpsample2x,
  'up',
  bicubicUpsample2xImpl,
);
