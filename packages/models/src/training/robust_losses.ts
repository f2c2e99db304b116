/**
 * The losses of the official recipes that plain cross-entropy / L1 do not cover: tidy tensor math
 * (usable inside tf.variableGrads), each a mean like the other losses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '@wavemix/core';

export interface FocalLossOptions {
  /** Focusing parameter; 0 gives cross-entropy. Default 2. */
  gamma?: number;
  /** Targets with this class id count neither in the loss nor in the mean (e.g. Cityscapes' 255). */
  ignoreIndex?: number;
}

/**
 * Focal loss (Lin et al. 2017) of `logits [..., K]` against integer class ids `targets [...]`:
 * the mean over labelled positions of (1 - p_t)^gamma * (-log p_t), p_t the softmax probability
 * of the true class; as PyTorch computes it from `cross_entropy(reduction='none')`. 0 when
 * nothing is labelled.
 */
export function focalLoss(logits: tf.Tensor, targets: tf.Tensor, options: FocalLossOptions = {}): tf.Scalar {
  const { gamma = 2, ignoreIndex } = options;
  if (typeof gamma !== 'number' || !(gamma >= 0))
    throw new WaveMixArgumentError('gamma', `must be a number >= 0, got ${String(gamma)}`);
  const numClasses = logits.shape[logits.shape.length - 1]!;
  if (targets.shape.join() !== logits.shape.slice(0, -1).join()) {
    throw new WaveMixArgumentError(
      'targets',
      `shape [${targets.shape.join(', ')}] does not match logits [${logits.shape.join(', ')}] without the class axis`,
    );
  }
  return tf.tidy(() => {
    const labels = tf.cast(targets, 'int32');
    const valid = ignoreIndex === undefined ? tf.onesLike(labels) : tf.notEqual(labels, ignoreIndex);
    const safeLabels = tf.where(tf.cast(valid, 'bool'), labels, tf.zerosLike(labels));
    const logPt = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(safeLabels, numClasses)), -1);
    const modulation = gamma === 0 ? tf.onesLike(logPt) : tf.pow(tf.sub(1, tf.exp(logPt)), gamma);
    const validFloat = tf.cast(valid, 'float32');
    const count = tf.maximum(tf.sum(validFloat), 1);
    return tf.div(tf.sum(tf.mul(tf.neg(tf.mul(modulation, logPt)), validFloat)), count) as tf.Scalar;
  });
}

export interface HuberLossOptions {
  /** Where the quadratic part ends (PyTorch `HuberLoss(delta)`, default 1). */
  delta?: number;
  /** Channel of the NHWC tensors to compare (default 0: Y of YCbCr, as the WaveMixSR scripts train). */
  channel?: number | null;
}

/**
 * PyTorch `nn.HuberLoss(delta)` between one channel of `prediction` and `target` (both
 * [n, h, w, c]): mean of 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta). The official
 * WaveMixSR scripts train with `HuberLoss()` on `outputs[:, 0:1]` vs `labels[:, 0:1]` (Y);
 * `channel: null` compares every channel. SmoothL1(beta) is HuberLoss(delta = beta) / beta.
 */
export function huberLoss(prediction: tf.Tensor, target: tf.Tensor, options: HuberLossOptions = {}): tf.Scalar {
  const { delta = 1, channel = 0 } = options;
  if (!(delta > 0)) throw new WaveMixArgumentError('delta', `must be > 0, got ${String(delta)}`);
  if (prediction.shape.join() !== target.shape.join()) {
    throw new WaveMixArgumentError(
      'target',
      `shape [${target.shape.join(', ')}] does not match the prediction [${prediction.shape.join(', ')}]`,
    );
  }
  const pick = (t: tf.Tensor) => {
    if (channel === null) return t;
    const last = t.shape.length - 1;
    if (!Number.isInteger(channel) || channel < 0 || channel >= t.shape[last]!) {
      throw new WaveMixArgumentError(
        'channel',
        `must index the last axis (size ${t.shape[last]}), got ${String(channel)}`,
      );
    }
    const begin = t.shape.map((_, i) => (i === last ? channel : 0));
    const size = t.shape.map((s, i) => (i === last ? 1 : s));
    return tf.slice(t, begin, size);
  };
  return tf.tidy(() => {
    const difference = tf.abs(tf.sub(pick(prediction), pick(target)));
    const quadratic = tf.minimum(difference, delta);
    // 0.5 q^2 + delta (|d| - q) equals both branches of the definition.
    const loss = tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, tf.sub(difference, quadratic)));
    return tf.mean(loss) as tf.Scalar;
  });
}
