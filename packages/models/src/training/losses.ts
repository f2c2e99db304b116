/**
 * Training losses, by name so that worker threads can compute them too (functions cannot cross
 * threads). Each returns the mean over what it averages (examples, pixels or elements);
 * `lossWeight` says how many of those a batch holds, so means over shards combine exactly into the
 * batch mean. Everything here is pure tensor math: callers run it inside tf.tidy or
 * tf.variableGrads.
 */
import * as tf from '@tensorflow/tfjs-core';
import { focalLoss, huberLoss } from './robust_losses';

/**
 * - `softmaxCrossEntropy`: logits on the last axis against one-hot or probability targets of the
 *   same shape (classification [n, K], segmentation [n, h, w, K]).
 * - `sparseSoftmaxCrossEntropy`: the same against integer class ids (the shape without the last
 *   axis); with `ignoreIndex`, the mean over the targets not equal to it (segmentation's void).
 * - `meanSquaredError`, `meanAbsoluteError`: regression (super-resolution trains with L1).
 * - `focal`: focal loss (gamma 2 by default) against integer class ids, with `ignoreIndex` as above.
 * - `huberY`: PyTorch `HuberLoss(delta)` on channel 0 (Y of YCbCr), as the official WaveMixSR scripts train.
 */
export const LOSSES = [
  'softmaxCrossEntropy',
  'sparseSoftmaxCrossEntropy',
  'meanSquaredError',
  'meanAbsoluteError',
  'focal',
  'huberY',
] as const;
export type LossName = (typeof LOSSES)[number];

/** The losses over integer class ids that take `ignoreIndex` (segmentation's void label). */
export const IGNORE_INDEX_LOSSES: readonly LossName[] = ['sparseSoftmaxCrossEntropy', 'focal'];

export interface LossOptions {
  /** `sparseSoftmaxCrossEntropy` only: targets with this class id count neither in the loss nor in the mean. */
  ignoreIndex?: number;
  /** `focal` only: the focusing parameter (default 2). */
  gamma?: number;
  /** `huberY` only: where the quadratic part ends (default 1). */
  delta?: number;
}

/** Mean softmax cross-entropy of `logits [..., K]` against int class ids `labels [...]`. */
export function classificationLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const numClasses = logits.shape[logits.shape.length - 1]!;
  return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(labels, 'int32'), numClasses), logits) as tf.Scalar;
}

/**
 * Mean per-pixel cross-entropy of `logits [n, h, w, K]` against `targets [n, h, w]`, skipping
 * pixels labelled `ignoreIndex` (Cityscapes' 255); 0 when a batch has no labelled pixel.
 */
export function segmentationLoss(logits: tf.Tensor, targets: tf.Tensor, ignoreIndex: number): tf.Scalar {
  const numClasses = logits.shape[logits.shape.length - 1]!;
  const labels = tf.cast(targets, 'int32');
  const valid = tf.notEqual(labels, ignoreIndex);
  const safeLabels = tf.where(valid, labels, tf.zerosLike(labels));
  const logProbabilities = tf.logSoftmax(logits);
  const picked = tf.sum(tf.mul(logProbabilities, tf.oneHot(safeLabels, numClasses)), -1);
  const validFloat = tf.cast(valid, 'float32');
  const count = tf.maximum(tf.sum(validFloat), 1);
  return tf.neg(tf.div(tf.sum(tf.mul(picked, validFloat)), count)) as tf.Scalar;
}

/** L1 (mean absolute error), the usual super-resolution training loss. */
export function superResolutionLoss(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(prediction, target))) as tf.Scalar;
}

export function computeLoss(
  name: LossName,
  output: tf.Tensor,
  target: tf.Tensor,
  options: LossOptions = {},
): tf.Scalar {
  switch (name) {
    case 'softmaxCrossEntropy':
      return tf.losses.softmaxCrossEntropy(target, output) as tf.Scalar;
    case 'sparseSoftmaxCrossEntropy':
      return options.ignoreIndex === undefined
        ? classificationLoss(output, target)
        : segmentationLoss(output, target, options.ignoreIndex);
    case 'meanSquaredError':
      return tf.losses.meanSquaredError(target, output) as tf.Scalar;
    case 'meanAbsoluteError':
      return superResolutionLoss(output, target);
    case 'focal':
      return focalLoss(output, target, { gamma: options.gamma, ignoreIndex: options.ignoreIndex });
    case 'huberY':
      return huberLoss(output, target, { delta: options.delta, channel: 0 });
  }
}

/**
 * How many terms `computeLoss` averages over in this batch, as a number (it weights shard means
 * and needs no gradient): the examples, or with an ignore index the labelled targets.
 */
export async function lossWeight(name: LossName, target: tf.Tensor, options: LossOptions = {}): Promise<number> {
  if (IGNORE_INDEX_LOSSES.includes(name) && options.ignoreIndex !== undefined) {
    return countLabelled(target, options.ignoreIndex);
  }
  return target.shape[0]!;
}

/** Targets (class ids) not equal to `ignoreIndex`. */
export async function countLabelled(targets: tf.Tensor, ignoreIndex: number): Promise<number> {
  const count = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(targets, ignoreIndex), 'float32')));
  const value = (await count.data())[0]!;
  count.dispose();
  return value;
}

/**
 * For the classification losses: how many argmax predictions over the last axis match the targets
 * (skipping targets equal to `ignoreIndex`), as a scalar tensor; null for regression losses.
 */
export function countCorrect(
  name: LossName,
  output: tf.Tensor,
  target: tf.Tensor,
  options: LossOptions = {},
): tf.Scalar | null {
  if (name === 'softmaxCrossEntropy') {
    return tf.sum(tf.cast(tf.equal(tf.argMax(output, -1), tf.argMax(target, -1)), 'int32')) as tf.Scalar;
  }
  if (name === 'sparseSoftmaxCrossEntropy' || name === 'focal')
    return correctCount(output, target, options.ignoreIndex);
  return null;
}

/** Number of correct top-1 predictions (classification) or correctly labelled valid pixels (segmentation). */
export function correctCount(logits: tf.Tensor, targets: tf.Tensor, ignoreIndex?: number): tf.Scalar {
  const predicted = tf.argMax(logits, -1);
  const labels = tf.cast(targets, 'int32');
  const hit = tf.equal(predicted, labels);
  if (ignoreIndex === undefined) return tf.sum(tf.cast(hit, 'float32')) as tf.Scalar;
  return tf.sum(tf.cast(tf.logicalAnd(hit, tf.notEqual(labels, ignoreIndex)), 'float32')) as tf.Scalar;
}
