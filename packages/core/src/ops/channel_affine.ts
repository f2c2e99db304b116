import * as tf from '@tensorflow/tfjs-core';
import {
  type ChannelAffineTensors,
  channelAffineComposite,
  channelAffineCompositeRaw,
} from '../composite_channel_affine';
import { WaveMixArgumentError } from '../errors';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { ChannelAffine } from '../kernel_names';
import { assertFloat32Shape, assertFloat32Tensor } from '../shapes';
import { hasKernel } from './dispatch';

/** Checks x [..., channels] (rank >= 1), scale and shift [channels], residual (if given) x's shape. */
export function assertChannelAffineArgs(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor, residual?: tf.Tensor): void {
  assertFloat32Tensor(x, 'x');
  if (x.rank < 1) throw new WaveMixArgumentError('x', 'expected rank >= 1 (channels last), got a scalar');
  const channels = x.shape[x.rank - 1]!;
  assertFloat32Shape(scale, 'scale', [channels], 'the last axis of x');
  assertFloat32Shape(shift, 'shift', [channels], 'the last axis of x');
  if (residual != null) assertFloat32Shape(residual, 'residual', x.shape, "x's shape");
}

/** The kernel where the backend registered one, else `composite` (differentiable for the public op). */
export function runChannelAffine(
  inputs: ChannelAffineTensors,
  composite: (inputs: ChannelAffineTensors) => tf.Tensor = channelAffineCompositeRaw,
): tf.Tensor {
  if (!hasKernel(ChannelAffine)) return composite(inputs);
  const { x, scale, shift, residual } = inputs;
  return tf.engine().runKernel(ChannelAffine, residual ? { x, scale, shift, residual } : { x, scale, shift });
}

/**
 * `x * scale + shift (+ residual)`, scale and shift per channel (the last axis): at inference a
 * convolution's bias, the BatchNormalization after it (scale = gamma / sqrt(variance + epsilon),
 * shift = beta + (bias - mean) scale) and a block's residual add, in one pass where the backend has
 * the kernel (wasm) instead of three. Differentiable in every input.
 */
export function channelAffine(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor, residual?: tf.Tensor): tf.Tensor {
  assertChannelAffineArgs(x, scale, shift, residual);
  registerWaveMixGradients();
  const inputs: ChannelAffineTensors = { x, scale: scale as tf.Tensor1D, shift: shift as tf.Tensor1D };
  if (residual) inputs.residual = residual;
  return runChannelAffine(inputs, channelAffineComposite);
}
