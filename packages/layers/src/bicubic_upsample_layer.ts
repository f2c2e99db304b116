import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { bicubicUpsample2x } from '@wavemix/core';
import { singleShape, singleTensor, type Kwargs, type LayerArgs, type Shape } from './layer_utils';

/**
 * x2 bicubic upsampling of NHWC input, equal to PyTorch
 * `Upsample(scale_factor=2, mode='bicubic', align_corners=False)` (the op lives in @wavemix/core,
 * with its gradient and backend kernels). Parameter-free; unknown spatial sizes stay unknown.
 */
export class BicubicUpsample2x extends layers.Layer {
  static className = 'BicubicUpsample2x';

  constructor(args: LayerArgs = {}) {
    super(args);
    this.inputSpec = [{ ndim: 4 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, h, w, c] = singleShape(inputShape, this.name);
    return [b ?? null, h == null ? null : 2 * h, w == null ? null : 2 * w, c ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => bicubicUpsample2x(singleTensor(inputs, this.name) as tf.Tensor4D));
  }
}
serialization.registerClass(BicubicUpsample2x, 'WaveMix');
