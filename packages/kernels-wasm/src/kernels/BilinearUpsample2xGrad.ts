import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BilinearUpsample2xGrad, bilinearUpsample2xGradImpl } from '@wavemix/core';
import { upsample2xWasmConfig } from './upsample2x_kernel';

/** The adjoint's 4x4 stride-2 gather in one SIMD pass (csrc/upsample.inc.c), not two transposed products. */
export const bilinearUpsample2xGradConfig: KernelConfig = upsample2xWasmConfig(
  BilinearUpsample2xGrad,
  'down',
  'bilinear_upsample2x_grad',
  bilinearUpsample2xGradImpl,
);
