/**
 * Bilinear x2 upsampling (PyTorch, align_corners=False) from plain tfjs ops (any backend), as a
 * pair of products with the interpolation matrix of each axis, and the transposed products as its
 * gradient. Not tfjs's ResizeBilinearGrad, which ignores halfPixelCenters and back-projects on the
 * corner grid, so it is the adjoint of a different map.
 */
import * as tf from '@tensorflow/tfjs-core';
import { recordWithGradient } from './composite';

type T4 = tf.Tensor4D;

/** `[2n, n]`: row 2i holds 0.75 at i and 0.25 at i - 1, row 2i + 1 0.75 at i and 0.25 at i + 1, clamped. */
export function bilinearUpsample2xMatrix(n: number): Float32Array {
  const m = new Float32Array(2 * n * n);
  for (let i = 0; i < n; i++) {
    m[2 * i * n + i]! += 0.75;
    m[2 * i * n + Math.max(i - 1, 0)]! += 0.25;
    m[(2 * i + 1) * n + i]! += 0.75;
    m[(2 * i + 1) * n + Math.min(i + 1, n - 1)]! += 0.25;
  }
  return m;
}

export function bilinearUpsample2xCompositeRaw(x: T4): T4 {
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    const rows = tf.tensor3d(bilinearUpsample2xMatrix(h), [1, 2 * h, h]);
    const columns = tf.tensor3d(bilinearUpsample2xMatrix(w), [1, 2 * w, w]);
    const alongH = tf.matMul(rows, tf.reshape(x, [b, h, w * c]));
    const alongW = tf.matMul(columns, tf.reshape(alongH, [b * 2 * h, w, c]));
    return tf.reshape(alongW, [b, 2 * h, 2 * w, c]);
  });
}

export function bilinearUpsample2xGradCompositeRaw(dy: T4): T4 {
  const [b, h2, w2, c] = dy.shape;
  const [h, w] = [h2 / 2, w2 / 2];
  return tf.tidy(() => {
    const rows = tf.tensor3d(bilinearUpsample2xMatrix(h), [1, h2, h]);
    const columns = tf.tensor3d(bilinearUpsample2xMatrix(w), [1, w2, w]);
    const alongH = tf.matMul(rows, tf.reshape(dy, [b, h2, w2 * c]), true, false);
    const alongW = tf.matMul(columns, tf.reshape(alongH, [b * h, w2, c]), true, false);
    return tf.reshape(alongW, [b, h, w, c]);
  });
}

/** Composite `bilinearUpsample2x` with its explicit adjoint as gradient. */
export function bilinearUpsample2xComposite(x: T4): T4 {
  return recordWithGradient(
    x,
    () => bilinearUpsample2xCompositeRaw(x),
    ([dy]) => bilinearUpsample2xGradCompositeRaw(dy!),
  );
}
