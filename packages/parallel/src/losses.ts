import * as tf from '@tensorflow/tfjs';

/**
 * Losses a worker can compute by name (functions cannot cross threads). Each is the mean over
 * the shard, so the batch loss is the shard losses weighted by shard size.
 * - `softmaxCrossEntropy`: logits on the last axis against one-hot or probability targets of the
 *   same shape (classification [b, k], segmentation [b, h, w, k]).
 * - `sparseSoftmaxCrossEntropy`: the same against integer class indices (shape without the last axis).
 * - `meanSquaredError`, `meanAbsoluteError`: regression (super-resolution).
 */
export const LOSSES = ['softmaxCrossEntropy', 'sparseSoftmaxCrossEntropy', 'meanSquaredError', 'meanAbsoluteError'] as const;
export type LossName = (typeof LOSSES)[number];

export function computeLoss(name: LossName, output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  switch (name) {
    case 'softmaxCrossEntropy':
      return tf.losses.softmaxCrossEntropy(target, output) as tf.Scalar;
    case 'sparseSoftmaxCrossEntropy': {
      const classes = output.shape[output.shape.length - 1]!;
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(target, 'int32'), classes), output) as tf.Scalar;
    }
    case 'meanSquaredError':
      return tf.losses.meanSquaredError(target, output) as tf.Scalar;
    case 'meanAbsoluteError':
      return tf.losses.absoluteDifference(target, output) as tf.Scalar;
  }
}

/**
 * For the classification losses: how many predictions (argmax over the last axis) match the
 * targets, as a scalar int32 tensor; null for regression losses.
 */
export function countCorrect(name: LossName, output: tf.Tensor, target: tf.Tensor): tf.Scalar | null {
  if (name === 'softmaxCrossEntropy') return tf.sum(tf.cast(tf.equal(tf.argMax(output, -1), tf.argMax(target, -1)), 'int32')) as tf.Scalar;
  if (name === 'sparseSoftmaxCrossEntropy') return tf.sum(tf.cast(tf.equal(tf.argMax(output, -1), tf.cast(target, 'int32')), 'int32')) as tf.Scalar;
  return null;
}
