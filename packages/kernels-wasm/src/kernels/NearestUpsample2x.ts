import type { KernelConfig } from '@tensorflow/tfjs-core';
import { NearestUpsample2x, nearestUpsample2xImpl } from '@wavemix/core';
import { upsample2xWasmConfig } from './upsample2x_kernel';

/**
 * One SIMD pass (csrc/upsample.inc.c) instead of the backend's ResizeNearestNeighbor, which
 * computes source coordinates per output element.
 */
export const nearestUpsample2xConfig: KernelConfig = upsample2xWasmConfig(
  NearestUpsample2x,
  'up',
  'nearest_upsample2x',
  nearestUpsample2xImpl,
);
