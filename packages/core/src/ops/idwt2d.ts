import type * as tf from '@tensorflow/tfjs-core';
import { idwt2dComposite } from '../composite';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { assertIdwtInput, resolveOutputSize } from '../shapes';
import { runIdwt2D } from './dispatch';

/**
 * Inverse of `dwt2d`: `[b, h2, w2, 4c] -> [b, 2*h2, 2*w2, c]`, or cropped to `outputSize`
 * (`[2*h2 - 1 or 2*h2, 2*w2 - 1 or 2*w2]`) to restore an odd-sized original.
 */
export function idwt2d(y: tf.Tensor4D | tf.Tensor, outputSize?: readonly [number, number]): tf.Tensor4D {
  assertIdwtInput(y);
  const [outputHeight, outputWidth] = resolveOutputSize(y.shape[1]!, y.shape[2]!, outputSize);
  registerWaveMixGradients();
  return runIdwt2D(y as tf.Tensor4D, outputHeight, outputWidth, idwt2dComposite);
}
