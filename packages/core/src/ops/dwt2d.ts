import type * as tf from '@tensorflow/tfjs-core';
import { dwt2dComposite } from '../composite';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { assertNhwcFloat32 } from '../shapes';
import { runDwt2D } from './dispatch';

/**
 * One level of the 2D Haar DWT (pytorch_wavelets `db1`, mode `zero`) in the WaveMix layout:
 * `[b, h, w, c] -> [b, ceil(h/2), ceil(w/2), 4c]`, channels `LL_0..LL_{c-1}` then
 * `LH_k, HL_k, HH_k` for each k. Odd sizes pair the last row/column with a zero.
 */
export function dwt2d(x: tf.Tensor4D | tf.Tensor): tf.Tensor4D {
  assertNhwcFloat32(x, 'x');
  registerWaveMixGradients();
  return runDwt2D(x as tf.Tensor4D, dwt2dComposite);
}
