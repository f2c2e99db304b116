import type * as tf from '@tensorflow/tfjs-core';
import type { BatchNormTrainingOutputs } from '../composite_batch_norm';
import { WaveMixArgumentError } from '../errors';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { assertFloat32Shape, assertFloat32Tensor } from '../shapes';
import { runBatchNormTraining } from './dispatch';

/** Checks x [..., channels] (rank >= 2, no empty axis), scale and offset [channels], epsilon > 0. */
export function assertBatchNormTrainingArgs(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): void {
  assertFloat32Tensor(x, 'x');
  if (x.rank < 2) {
    throw new WaveMixArgumentError(
      'x',
      `expected rank >= 2 ([batch, ..., channels]), got shape [${x.shape.join(', ')}]`,
    );
  }
  if (x.size === 0) {
    throw new WaveMixArgumentError('x', `has no elements (shape [${x.shape.join(', ')}]): no batch statistics`);
  }
  const channels = x.shape[x.rank - 1]!;
  assertFloat32Shape(scale, 'scale', [channels], 'the last axis of x');
  assertFloat32Shape(offset, 'offset', [channels], 'the last axis of x');
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new WaveMixArgumentError('epsilon', `must be a positive finite number, got ${String(epsilon)}`);
  }
}

/**
 * Batch normalisation in training over the last axis, with the batch's statistics (PyTorch
 * `BatchNorm2d` in train mode on NHWC, tfjs-layers' BatchNormalization in training):
 * `y = (x - mean) * scale / sqrt(variance + epsilon) + offset`, with `mean` and the biased
 * `variance` taken over every axis but the last. Returns y with the two [channels] statistics
 * (for a layer's moving averages). One kernel forward and one backward where the backend has
 * them (wasm: two passes over x each way); tf.moments + tf.batchNorm elsewhere.
 * Differentiable in x (through the statistics), scale and offset.
 */
export function batchNormTraining(
  x: tf.Tensor,
  scale: tf.Tensor,
  offset: tf.Tensor,
  epsilon: number,
): BatchNormTrainingOutputs {
  assertBatchNormTrainingArgs(x, scale, offset, epsilon);
  registerWaveMixGradients();
  return runBatchNormTraining(x, scale as tf.Tensor1D, offset as tf.Tensor1D, epsilon);
}
