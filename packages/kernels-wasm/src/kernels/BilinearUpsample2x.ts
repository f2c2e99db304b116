import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BilinearUpsample2x, bilinearUpsample2xImpl } from '@wavemix/core';
import { upsample2xWasmConfig } from './upsample2x_kernel';

/**
 * One SIMD pass (csrc/upsample.inc.c) instead of the composite's two batched products with
 * interpolation matrices (mostly zeros).
 */
export const bilinearUpsample2xConfig: KernelConfig = upsample2xWasmConfig(
  BilinearUpsample2x,
  'up',
  'bilinear_upsample2x',
  bilinearUpsample2xImpl,
);
