import type * as tf from '@tensorflow/tfjs-core';
import { waveletPyramidComposite } from '../composite';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { assertLevels, assertNhwcFloat32 } from '../shapes';
import { runWaveletPyramid } from './dispatch';

/**
 * `[X_1, ..., X_L]` with `X_k = dwt2d(LL_{k-1})`, `LL_0 = x`, each in the WaveMix layout, as the
 * level-L wave block consumes them. Kernels compute every level from one read of the input.
 */
export function waveletPyramid(x: tf.Tensor4D | tf.Tensor, levels: number): tf.Tensor4D[] {
  assertNhwcFloat32(x, 'x');
  assertLevels(levels, x.shape[1]!, x.shape[2]!);
  registerWaveMixGradients();
  return runWaveletPyramid(x as tf.Tensor4D, levels, waveletPyramidComposite);
}
