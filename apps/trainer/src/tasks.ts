/**
 * What differs between tasks: the loss, the per-step training metric, and how evaluation
 * accumulates the task metric. Everything here is tidy: callers run it inside tf.tidy or
 * tf.variableGrads, and results are plain numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { rgbToYCbCr } from '@wavemix/models';

export type TrainerTask = 'classification' | 'segmentation' | 'super-resolution';

/** Mean softmax cross-entropy of `logits [n, K]` against int32 class ids `labels [n]`. */
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

/** Number of correct top-1 predictions (classification) or correctly labelled valid pixels (segmentation). */
export function correctCount(logits: tf.Tensor, targets: tf.Tensor, ignoreIndex?: number): tf.Scalar {
  const predicted = tf.argMax(logits, -1);
  const labels = tf.cast(targets, 'int32');
  const hit = tf.equal(predicted, labels);
  if (ignoreIndex === undefined) return tf.sum(tf.cast(hit, 'float32')) as tf.Scalar;
  return tf.sum(tf.cast(tf.logicalAnd(hit, tf.notEqual(labels, ignoreIndex)), 'float32')) as tf.Scalar;
}

/**
 * WaveMixSR works in YCbCr; the data is RGB in [0, 1]. Convert inputs and targets alike, so the
 * loss is taken where the model computes.
 */
export function toModelColorSpace(images: tf.Tensor4D, ycbcr: boolean): tf.Tensor4D {
  return ycbcr ? (rgbToYCbCr(images, 1) as tf.Tensor4D) : images;
}
