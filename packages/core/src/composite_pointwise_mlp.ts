/**
 * The pointwise MLP (Conv1x1 -> exact GELU -> Conv1x1) from plain tfjs ops: the 1x1 convolutions
 * as matMul over the [pixels, channels] view of NHWC. Its gradient is written out (no registered
 * tfjs gradient needed) and shared with the kernels' GradConfig.
 */
import * as tf from '@tensorflow/tfjs-core';

type T4 = tf.Tensor4D;

/** The inputs, by the names the kernels and their gradient use. */
export interface PointwiseMlpTensors {
  x: T4;
  /** The second part of a channel concatenation `[x, x2]` the unit reads (PointwiseMlpConcat). */
  x2?: T4;
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

/** The unit's input: x, or the channel concatenation [x, x2]. */
const unitInput = (x: T4, x2?: T4): T4 => (x2 ? tf.concat([x, x2], 3) : x);

/** z = x w1 + b1 on the [pixels, cin] view: the hidden pre-activation, [pixels, hidden]. */
function hiddenPreActivation(x: T4, w1: tf.Tensor2D, b1: tf.Tensor1D): tf.Tensor2D {
  const [b, h, w, c] = x.shape;
  return tf.add(tf.matMul(tf.reshape(x, [b * h * w, c]), w1), b1);
}

/** Forward value, no gradient of its own. */
export function pointwiseMlpCompositeRaw({ x, x2, w1, b1, w2, b2 }: PointwiseMlpTensors): T4 {
  return tf.tidy(() => {
    const [b, h, w] = x.shape;
    const z = hiddenPreActivation(unitInput(x, x2), w1, b1);
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
  { x: first, x2, w1, b1, w2 }: Omit<PointwiseMlpTensors, 'b2'>,
): Partial<Record<PointwiseMlpInputName, () => tf.Tensor>> {
  const x = unitInput(first, x2);
  const [b, h, w, c] = x.shape;
  const rows = tf.reshape(x, [b * h * w, c]);
  const dyRows = tf.reshape(dy, [b * h * w, w2.shape[1]]);
  const z = hiddenPreActivation(x, w1, b1);
  const cdf = normalCdf(z);
  // GELU'(z) = Phi(z) + z phi(z), phi(z) = exp(-z^2 / 2) / sqrt(2 pi).
  const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(z))));
  const dz = tf.mul(tf.matMul(dyRows, w2, false, true), tf.add(cdf, tf.mul(z, pdf)));
  const dx = () => tf.reshape(tf.matMul(dz, w1, false, true), x.shape);
  const c1 = first.shape[3];
  const grads: Partial<Record<PointwiseMlpInputName, () => tf.Tensor>> = {
    x: x2 ? () => tf.slice(dx(), [0, 0, 0, 0], [b, h, w, c1]) : dx,
    w1: () => tf.matMul(rows, dz, true, false),
    b1: () => tf.sum(dz, 0),
    w2: () => tf.matMul(tf.mul(z, cdf), dyRows, true, false),
    b2: () => tf.sum(dyRows, 0),
  };
  // Each closure runs in its own tidy, so x2's recomputes the product (only when both are asked for).
  if (x2) grads.x2 = () => tf.slice(dx(), [0, 0, 0, c1], [b, h, w, c - c1]);
  return grads;
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
    backwardsFunc: (dy) =>
      pointwiseMlpGradients((Array.isArray(dy) ? dy[0] : dy) as T4, inputs) as Record<string, () => tf.Tensor>,
    // Only the inputs given (x2 only for a concatenation): the engine saves each one named.
    inputs: Object.fromEntries(Object.entries(inputs).filter(([, t]) => t != null)) as Record<string, tf.Tensor>,
  });
}
