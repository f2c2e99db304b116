import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BilinearUpsample2xGrad, bilinearUpsample2xGradImpl } from '@wavemix/core';
import { upsample2xCpuConfig } from './upsample2x_kernel';

export const bilinearUpsample2xGradConfig: KernelConfig = upsample2xCpuConfig(
  BilinearUpsample2xGrad,
  'down',
  bilinearUpsample2xGradImpl,
);
