import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '@wavemix/core';
import { assertPositiveInteger, isTensor, lengthOf, valuesOf, type MetricInput } from './input';

/**
 * How top-k accuracy treats classes whose logit equals the true class's logit.
 * - `'index'` (default): equal logits are ordered by class index, lower first, as `argMax` does,
 *   so top-1 accuracy equals `mean(argMax(logits) == label)` and exactly k classes are in the top k.
 * - `'optimistic'`: the true class is in the top k when fewer than k classes have a strictly
 *   greater logit (`tf.math.in_top_k` semantics).
 * - `'pessimistic'`: every tied class is ranked ahead of the true class.
 *
 * NaN logits rank below every number (they are treated as -Infinity).
 * scikit-learn's `top_k_accuracy_score` breaks ties the other way round (higher index first).
 */
export type TieRule = 'index' | 'optimistic' | 'pessimistic';

export interface TopKOptions {
  ties?: TieRule;
}

/** Streaming top-k accuracy: `update` with each batch of logits `[n, C]` and labels `[n]`. */
export class TopKAccuracy {
  private correct = 0;
  private total = 0;
  readonly ties: TieRule;

  constructor(
    readonly k: number,
    options: TopKOptions = {},
  ) {
    assertPositiveInteger(k, 'k');
    this.ties = options.ties ?? 'index';
    if (!['index', 'optimistic', 'pessimistic'].includes(this.ties)) {
      throw new WaveMixArgumentError('ties', `expected 'index', 'optimistic' or 'pessimistic', got ${this.ties}`);
    }
  }

  /** Adds a batch. Typed-array logits are row-major `[n, C]` with C = logits.length / labels.length. */
  update(logits: MetricInput, labels: MetricInput): this {
    const n = lengthOf(labels);
    if (n === 0) return this;
    const numClasses = logitsClasses(logits, n);
    const correct = isTensor(logits)
      ? correctFromTensor(logits, labels, n, numClasses, this.k, this.ties)
      : correctFromArrays(valuesOf(logits, 'logits'), valuesOf(labels, 'labels'), n, numClasses, this.k, this.ties);
    this.correct += correct;
    this.total += n;
    return this;
  }

  /** Fraction of samples whose label is among the top k; NaN before any sample. */
  result(): number {
    return this.total === 0 ? NaN : this.correct / this.total;
  }

  get count(): number {
    return this.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

/** Top-k accuracy of `logits` `[n, C]` against integer `labels` `[n]`; see {@link TieRule}. */
export function topKAccuracy(logits: MetricInput, labels: MetricInput, k = 1, options: TopKOptions = {}): number {
  return new TopKAccuracy(k, options).update(logits, labels).result();
}

function logitsClasses(logits: MetricInput, n: number): number {
  if (isTensor(logits)) {
    if (logits.rank !== 2 || logits.shape[0] !== n) {
      throw new WaveMixArgumentError('logits', `expected shape [${n}, numClasses], got [${logits.shape}]`);
    }
    return logits.shape[1]!;
  }
  const length = lengthOf(logits);
  if (length % n !== 0 || length === 0) {
    throw new WaveMixArgumentError('logits', `length ${length} is not a multiple of the ${n} labels`);
  }
  return length / n;
}

function checkLabel(label: number, numClasses: number, index: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
    throw new WaveMixArgumentError('labels', `labels[${index}] = ${label} is not a class id in [0, ${numClasses})`);
  }
}

function correctFromArrays(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  n: number,
  numClasses: number,
  k: number,
  ties: TieRule,
): number {
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    checkLabel(label, numClasses, i);
    const row = i * numClasses;
    const truth = rankValue(logits[row + label]!);
    let greater = 0;
    let equalBefore = 0;
    let equalOther = 0;
    for (let c = 0; c < numClasses; c++) {
      if (c === label) continue;
      const v = rankValue(logits[row + c]!);
      if (v > truth) greater++;
      else if (v === truth) {
        equalOther++;
        if (c < label) equalBefore++;
      }
    }
    const rank = ties === 'index' ? greater + equalBefore : ties === 'optimistic' ? greater : greater + equalOther;
    if (rank < k) correct++;
  }
  return correct;
}

function rankValue(v: number): number {
  return Number.isNaN(v) ? -Infinity : v;
}

function correctFromTensor(
  logits: tf.Tensor,
  labels: MetricInput,
  n: number,
  numClasses: number,
  k: number,
  ties: TieRule,
): number {
  const summary = tf.tidy(() => {
    const raw = tf.cast(logits, 'float32');
    const x = tf.where(tf.isNaN(raw), tf.fill(raw.shape, -Infinity), raw);
    const labelValues = isTensor(labels)
      ? tf.reshape(labels, [n])
      : tf.tensor1d(Array.from(valuesOf(labels, 'labels')), 'float32');
    const labelFloat = tf.cast(labelValues, 'float32');
    const labelInt = tf.reshape(tf.cast(labelFloat, 'int32'), [n, 1]);
    const nonInteger = tf.sum(tf.cast(tf.notEqual(labelFloat, tf.floor(labelFloat)), 'int32'));
    const safe = tf.clipByValue(labelInt, 0, numClasses - 1);
    // The true class's score by masking, not tf.gather(x, safe, 1, 1): tfjs-backend-wasm 4.22's
    // GatherV2 with batchDims returns wrong values (and can read out of bounds).
    const classIds = tf.reshape(tf.range(0, numClasses, 1, 'int32'), [1, numClasses]);
    const isTruth = tf.equal(classIds, safe);
    const truth = tf.sum(tf.where(isTruth, x, tf.zerosLike(x)), 1, true); // [n, 1]
    const greater = tf.sum(tf.cast(tf.greater(x, truth), 'int32'), 1);
    const equal = tf.equal(x, truth);
    let rank: tf.Tensor;
    if (ties === 'optimistic') rank = greater;
    else if (ties === 'pessimistic') rank = tf.add(greater, tf.sub(tf.sum(tf.cast(equal, 'int32'), 1), 1));
    else rank = tf.add(greater, tf.sum(tf.cast(tf.logicalAnd(equal, tf.less(classIds, labelInt)), 'int32'), 1));
    const correct = tf.sum(tf.cast(tf.less(rank, k), 'int32'));
    return tf.stack([
      tf.cast(correct, 'float32'),
      tf.min(labelFloat),
      tf.max(labelFloat),
      tf.cast(nonInteger, 'float32'),
    ]);
  });
  // sync-read: topKAccuracy is synchronous by contract; one 4-value summary read.
  const [correct, minLabel, maxLabel, nonInteger] = Array.from(summary.dataSync());
  summary.dispose();
  if (nonInteger! > 0 || minLabel! < 0 || maxLabel! >= numClasses || Number.isNaN(minLabel!)) {
    throw new WaveMixArgumentError(
      'labels',
      `labels must be integer class ids in [0, ${numClasses}); found values in [${minLabel}, ${maxLabel}]`,
    );
  }
  return correct!;
}
