import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BilinearUpsample2x, bilinearUpsample2xImpl } from '@wavemix/core';
import { upsample2xCpuConfig } from './upsample2x_kernel';

export const bilinearUpsample2xConfig: KernelConfig = upsample2xCpuConfig(
  BilinearUpsample2x,
  'up',
  bilinearUpsample2xImpl,
);
