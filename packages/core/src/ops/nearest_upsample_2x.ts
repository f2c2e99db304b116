import type * as tf from '@tensorflow/tfjs-core';
import { nearestUpsample2xComposite } from '../composite_nearest';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { assertNhwcFloat32 } from '../shapes';
import { runNearestUpsample2x } from './dispatch';

/**
 * PyTorch's `Upsample(scale_factor=2, mode='nearest')` on NHWC float32: `[b, h, w, c] -> [b, 2h, 2w, c]`,
 * each pixel copied to a 2x2 block. Differentiable (the gradient sums each block).
 */
export function nearestUpsample2x(x: tf.Tensor4D | tf.Tensor): tf.Tensor4D {
  assertNhwcFloat32(x, 'x');
  registerWaveMixGradients();
  return runNearestUpsample2x(x as tf.Tensor4D, nearestUpsample2xComposite);
}
