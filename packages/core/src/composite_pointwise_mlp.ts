/**
 * The pointwise MLP (Conv1x1 -> exact GELU -> Conv1x1) from plain tfjs ops: the 1x1 convolutions
 * as matMul over the [pixels, channels] view of NHWC. Its gradient is written out (no registered
 * tfjs gradient needed) and shared with the kernels' GradConfig.
 */
import * as tf from '@tensorflow/tfjs-core';

type T4 = tf.Tensor4D;

/** The five inputs, by the names the kernel and its gradient use. */
export interface PointwiseMlpTensors {
  x: T4;
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
}

export type PointwiseMlpInputName = keyof PointwiseMlpTensors;

/** Phi(z) = (1 + erf(z / sqrt 2)) / 2, the standard normal CDF. */
function normalCdf(z: tf.Tensor): tf.Tensor {
  return tf.mul(0.5, tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2))));
}

/** z = x w1 + b1 on the [pixels, cin] view: the hidden pre-activation, [pixels, hidden]. */
function hiddenPreActivation(x: T4, w1: tf.Tensor2D, b1: tf.Tensor1D): tf.Tensor2D {
  const [b, h, w, c] = x.shape;
  return tf.add(tf.matMul(tf.reshape(x, [b * h * w, c]), w1), b1);
}

/** Forward value, no gradient of its own. */
export function pointwiseMlpCompositeRaw({ x, w1, b1, w2, b2 }: PointwiseMlpTensors): T4 {
  return tf.tidy(() => {
    const [b, h, w] = x.shape;
    const z = hiddenPreActivation(x, w1, b1);
    const hidden = tf.mul(z, normalCdf(z));
    return tf.reshape(tf.add(tf.matMul(hidden, w2), b2), [b, h, w, w2.shape[1]]);
  });
}

/**
 * The gradient in every input given dy [b, h, w, out]. The shared part (the hidden
 * pre-activation and dL/dz) is computed at once, each input's own product only when its closure
 * is called: a tfjs `gradFunc` result, whose closures the engine calls for the inputs it needs.
 * Call inside a tidy (the engine's backward pass is one).
 */
export function pointwiseMlpGradients(
  dy: T4,
  { x, w1, b1, w2 }: Omit<PointwiseMlpTensors, 'b2'>,
): Record<PointwiseMlpInputName, () => tf.Tensor> {
  const [b, h, w, c] = x.shape;
  const rows = tf.reshape(x, [b * h * w, c]);
  const dyRows = tf.reshape(dy, [b * h * w, w2.shape[1]]);
  const z = hiddenPreActivation(x, w1, b1);
  const cdf = normalCdf(z);
  // GELU'(z) = Phi(z) + z phi(z), phi(z) = exp(-z^2 / 2) / sqrt(2 pi).
  const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(z))));
  const dz = tf.mul(tf.matMul(dyRows, w2, false, true), tf.add(cdf, tf.mul(z, pdf)));
  return {
    x: () => tf.reshape(tf.matMul(dz, w1, false, true), x.shape),
    w1: () => tf.matMul(rows, dz, true, false),
    b1: () => tf.sum(dz, 0),
    w2: () => tf.matMul(tf.mul(z, cdf), dyRows, true, false),
    b2: () => tf.sum(dyRows, 0),
  };
}

type KernelFuncParams = {
  forwardFunc: () => tf.Tensor;
  backwardsFunc: (dy: tf.Tensor | tf.Tensor[]) => Record<string, () => tf.Tensor>;
  inputs: Record<string, tf.Tensor>;
};

/**
 * The differentiable composite: the forward recorded as one tape node whose gradient is
 * `pointwiseMlpGradients` (the engine primitive behind tf.customGrad, which would compute all
 * five gradients even when only dx is asked for).
 */
export function pointwiseMlpComposite(inputs: PointwiseMlpTensors): T4 {
  const engine = tf.engine();
  const run = (engine['runKernelFunc'] as unknown as (params: KernelFuncParams) => T4).bind(engine);
  return run({
    forwardFunc: () => pointwiseMlpCompositeRaw(inputs),
    backwardsFunc: (dy) => pointwiseMlpGradients((Array.isArray(dy) ? dy[0] : dy) as T4, inputs),
    inputs: { ...inputs },
  });
}
