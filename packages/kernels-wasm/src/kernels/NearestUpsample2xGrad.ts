import type { KernelConfig } from '@tensorflow/tfjs-core';
import { NearestUpsample2xGrad, nearestUpsample2xGradImpl } from '@wavemix/core';
import { upsample2xWasmConfig } from './upsample2x_kernel';

/**
 * The 2x2 block sums in one SIMD pass (csrc/upsample.inc.c): the composite's Sum over axes [2, 4]
 * of a rank-6 view makes the backend transpose first.
 */
export const nearestUpsample2xGradConfig: KernelConfig = upsample2xWasmConfig(
  NearestUpsample2xGrad,
  'down',
  'nearest_upsample2x_grad',
  nearestUpsample2xGradImpl,
);
