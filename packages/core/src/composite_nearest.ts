/**
 * Nearest x2 upsampling from plain tfjs ops (any backend), with an explicit gradient: the sum of
 * each 2x2 block. Not tfjs's ResizeNearestNeighborGrad, whose cpu kernel offsets dy by the input's
 * batch stride and so gets every image after the first wrong (tfjs 4.22).
 */
import * as tf from '@tensorflow/tfjs-core';
import { recordWithGradient } from './composite';

type T4 = tf.Tensor4D;

/** PyTorch's nearest (source floor(i / 2)) is resizeNearestNeighbor without corners or half-pixel centres. */
export function nearestUpsample2xCompositeRaw(x: T4): T4 {
  const [, h, w] = x.shape;
  return tf.tidy(() => tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w], false, false));
}

export function nearestUpsample2xGradCompositeRaw(dy: T4): T4 {
  const [b, h2, w2, c] = dy.shape;
  return tf.tidy(() => tf.sum(tf.reshape(dy, [b, h2 / 2, 2, w2 / 2, 2, c]), [2, 4]) as T4);
}

/** Composite `nearestUpsample2x` with its explicit adjoint as gradient. */
export function nearestUpsample2xComposite(x: T4): T4 {
  return recordWithGradient(
    x,
    () => nearestUpsample2xCompositeRaw(x),
    ([dy]) => nearestUpsample2xGradCompositeRaw(dy!),
  );
}
