/**
 * ChannelAffine from plain tfjs ops, `y = x * scale + shift (+ residual)` per channel, recorded
 * as one tape node with its gradient written out (no registered tfjs gradient needed); the
 * gradient is shared with the kernels' GradConfig.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The inputs, by the names the kernel and its gradient use. */
export interface ChannelAffineTensors {
  x: tf.Tensor;
  scale: tf.Tensor1D;
  shift: tf.Tensor1D;
  /** Added at the end, x's shape (a block's residual). */
  residual?: tf.Tensor;
}

/** Forward value, no gradient of its own. */
export function channelAffineCompositeRaw({ x, scale, shift, residual }: ChannelAffineTensors): tf.Tensor {
  return tf.tidy(() => {
    const y = tf.add(tf.mul(x, scale), shift);
    return residual ? tf.add(y, residual) : y;
  });
}

/** dx = dy scale, dscale = sum(dy x), dshift = sum(dy) over every axis but the last, dresidual = dy. */
export function channelAffineGradients(
  dy: tf.Tensor,
  { x, scale }: Pick<ChannelAffineTensors, 'x' | 'scale'>,
): Record<'x' | 'scale' | 'shift' | 'residual', () => tf.Tensor> {
  const leading = Array.from({ length: x.rank - 1 }, (_, i) => i);
  return {
    x: () => tf.mul(dy, scale),
    scale: () => tf.sum(tf.mul(dy, x), leading),
    shift: () => tf.sum(dy, leading),
    residual: () => tf.clone(dy),
  };
}

type KernelFuncParams = {
  forwardFunc: () => tf.Tensor;
  backwardsFunc: (dy: tf.Tensor | tf.Tensor[]) => Record<string, () => tf.Tensor>;
  inputs: Record<string, tf.Tensor>;
};

/** The differentiable composite: one tape node whose gradient is `channelAffineGradients`. */
export function channelAffineComposite(inputs: ChannelAffineTensors): tf.Tensor {
  const engine = tf.engine();
  const run = (engine['runKernelFunc'] as unknown as (params: KernelFuncParams) => tf.Tensor).bind(engine);
  return run({
    forwardFunc: () => channelAffineCompositeRaw(inputs),
    backwardsFunc: (dy) => channelAffineGradients((Array.isArray(dy) ? dy[0] : dy) as tf.Tensor, inputs),
    inputs: Object.fromEntries(Object.entries(inputs).filter(([, t]) => t != null)) as Record<string, tf.Tensor>,
  });
}
