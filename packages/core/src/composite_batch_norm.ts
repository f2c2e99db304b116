/**
 * Batch normalisation in training (BatchNormTraining) from plain tfjs ops: the forward is what
 * tfjs-layers' BatchNormalization computes in training (tf.moments, then tf.batchNorm), and the
 * gradient is written out in closed form, shared with the kernels' GradConfig.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The three outputs of batch normalisation in training. */
export interface BatchNormTrainingOutputs {
  /** The normalised input, x's shape. */
  y: tf.Tensor;
  /** Per-channel batch mean, [channels]. */
  mean: tf.Tensor1D;
  /** Per-channel biased batch variance, [channels]. */
  variance: tf.Tensor1D;
}

/** The inputs of the gradient, by the names the kernel uses: saved forward tensors and upstream gradients. */
export interface BatchNormTrainingGradTensors {
  dy: tf.Tensor;
  x: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  scale: tf.Tensor1D;
  /** Upstream gradient of the mean output (zeros when only y is used). */
  dMean: tf.Tensor1D;
  /** Upstream gradient of the variance output. */
  dVariance: tf.Tensor1D;
}

const leadingAxes = (x: tf.Tensor) => Array.from({ length: x.rank - 1 }, (_, i) => i);

/** Forward from tf.moments and tf.batchNorm; differentiable through tfjs' own gradients. */
export function batchNormTrainingComposite(
  x: tf.Tensor,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  epsilon: number,
): BatchNormTrainingOutputs {
  const [y, mean, variance] = tf.tidy(() => {
    const moments = tf.moments(x, leadingAxes(x));
    return [tf.batchNorm(x, moments.mean, moments.variance, offset, scale, epsilon), moments.mean, moments.variance];
  });
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/**
 * [dx, dScale, dOffset]. With s = sum(dy), t = sum(dy (x - mean)) over the leading axes,
 * r = 1 / sqrt(variance + epsilon), k = scale r and n rows:
 *   dx = k dy + (x - mean) (2 dVariance - k r^2 t) / n + (dMean - k s) / n,  dScale = t r,  dOffset = s.
 */
export function batchNormTrainingGradCompositeRaw(
  { dy, x, mean, variance, scale, dMean, dVariance }: BatchNormTrainingGradTensors,
  epsilon: number,
): [tf.Tensor, tf.Tensor1D, tf.Tensor1D] {
  return tf.tidy(() => {
    const axes = leadingAxes(x);
    const n = x.size / x.shape[x.rank - 1]!;
    const r = tf.rsqrt(tf.add(variance, epsilon));
    const k = tf.mul(scale, r);
    const centred = tf.sub(x, mean);
    const s = tf.sum(dy, axes);
    const t = tf.sum(tf.mul(dy, centred), axes);
    const a = tf.div(tf.sub(tf.mul(dVariance, 2), tf.mul(tf.mul(k, tf.square(r)), t)), n);
    const c = tf.div(tf.sub(dMean, tf.mul(k, s)), n);
    const dx = tf.add(tf.add(tf.mul(dy, k), tf.mul(centred, a)), c);
    return [dx, tf.mul(t, r) as tf.Tensor1D, s as tf.Tensor1D];
  });
}
