import type * as tf from '@tensorflow/tfjs-core';
import { bilinearUpsample2xComposite } from '../composite_bilinear';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { assertNhwcFloat32 } from '../shapes';
import { runBilinearUpsample2x } from './dispatch';

/**
 * PyTorch's `Upsample(scale_factor=2, mode='bilinear', align_corners=False)` on NHWC float32:
 * `[b, h, w, c] -> [b, 2h, 2w, c]`. Differentiable (the gradient is the exact adjoint).
 */
export function bilinearUpsample2x(x: tf.Tensor4D | tf.Tensor): tf.Tensor4D {
  assertNhwcFloat32(x, 'x');
  registerWaveMixGradients();
  return runBilinearUpsample2x(x as tf.Tensor4D, bilinearUpsample2xComposite);
}
