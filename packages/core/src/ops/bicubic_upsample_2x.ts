import type * as tf from '@tensorflow/tfjs-core';
import { bicubicUpsample2xComposite } from '../composite_bicubic';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { assertNhwcFloat32 } from '../shapes';
import { runBicubicUpsample2x } from './dispatch';

/**
 * PyTorch's `Upsample(scale_factor=2, mode='bicubic', align_corners=False)` on NHWC float32:
 * `[b, h, w, c] -> [b, 2h, 2w, c]` (tfjs has no bicubic resize). Differentiable.
 */
export function bicubicUpsample2x(x: tf.Tensor4D | tf.Tensor): tf.Tensor4D {
  assertNhwcFloat32(x, 'x');
  registerWaveMixGradients();
  return runBicubicUpsample2x(x as tf.Tensor4D, bicubicUpsample2xComposite);
}
