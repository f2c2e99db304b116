import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '@wavemix/core';
import { assertPositiveInteger, isTensor, lengthOf, valuesOf, type MetricInput } from './input';

export interface ConfusionMatrixOptions {
  /** Target value whose pixels (or samples) are skipped, e.g. 255 for Cityscapes. */
  ignoreIndex?: number;
}

/**
 * A streaming confusion matrix (rows = true class, columns = predicted class) for classification
 * and semantic segmentation. Every metric is read from the matrix accumulated over all updates,
 * so `meanIoU()` after a whole split is the standard dataset-level mIoU (not a mean of per-image
 * IoUs).
 *
 * Note: the official WaveMix Cityscapes script reports an "mIoU" computed per image by AND/OR-ing
 * label indices and including the void class; it is not this metric and its numbers are not
 * comparable with it.
 */
export class ConfusionMatrix {
  /** Counts, row-major `[numClasses, numClasses]`, rows = true class. */
  private readonly counts: Float64Array;
  readonly ignoreIndex: number | undefined;

  constructor(
    readonly numClasses: number,
    options: ConfusionMatrixOptions = {},
  ) {
    assertPositiveInteger(numClasses, 'numClasses');
    this.counts = new Float64Array(numClasses * numClasses);
    this.ignoreIndex = options.ignoreIndex;
    if (this.ignoreIndex !== undefined && !Number.isInteger(this.ignoreIndex)) {
      throw new WaveMixArgumentError('ignoreIndex', `expected an integer, got ${this.ignoreIndex}`);
    }
    if (this.ignoreIndex !== undefined && this.ignoreIndex >= 0 && this.ignoreIndex < numClasses) {
      throw new WaveMixArgumentError('ignoreIndex', `${this.ignoreIndex} is a class id in [0, ${numClasses})`);
    }
  }

  /**
   * Adds predicted class ids and true class ids of the same size (any shape: a batch of labels or
   * of label maps). Targets equal to `ignoreIndex` are skipped; any other value outside
   * `[0, numClasses)` is an error, as is a non-integer value.
   */
  update(pred: MetricInput, target: MetricInput): this {
    const n = lengthOf(target);
    if (lengthOf(pred) !== n) {
      throw new WaveMixArgumentError('pred', `has ${lengthOf(pred)} elements but target has ${n}`);
    }
    if (n === 0) return this;
    if (isTensor(pred) || isTensor(target)) this.updateTensor(pred, target);
    else this.updateArrays(valuesOf(pred, 'pred'), valuesOf(target, 'target'));
    return this;
  }

  /** Adds the argmax over the last axis of `logits` (shape `[...target.shape, numClasses]`). */
  updateFromLogits(logits: tf.Tensor, target: MetricInput): this {
    if (logits.shape[logits.rank - 1] !== this.numClasses) {
      throw new WaveMixArgumentError(
        'logits',
        `last axis has ${logits.shape[logits.rank - 1]} classes, expected ${this.numClasses}`,
      );
    }
    const pred = tf.argMax(logits, -1);
    try {
      return this.update(pred, target);
    } finally {
      pred.dispose();
    }
  }

  private updateArrays(pred: ArrayLike<number>, target: ArrayLike<number>): void {
    const c = this.numClasses;
    const ignore = this.ignoreIndex;
    // Validate everything first so that a failed update leaves the counts untouched.
    for (let i = 0; i < target.length; i++) {
      const t = target[i]!;
      if (t === ignore) continue;
      const p = pred[i]!;
      if (!Number.isInteger(t) || t < 0 || t >= c) {
        throw new WaveMixArgumentError(
          'target',
          `target[${i}] = ${t} is neither a class id in [0, ${c}) nor the ignore index`,
        );
      }
      if (!Number.isInteger(p) || p < 0 || p >= c) {
        throw new WaveMixArgumentError('pred', `pred[${i}] = ${p} is not a class id in [0, ${c})`);
      }
    }
    for (let i = 0; i < target.length; i++) {
      const t = target[i]!;
      if (t !== ignore) this.counts[t * c + pred[i]!]! += 1;
    }
  }

  private updateTensor(predInput: MetricInput, targetInput: MetricInput): void {
    const c = this.numClasses;
    const ignore = this.ignoreIndex;
    const summary = tf.tidy(() => {
      const toFlat = (x: MetricInput, name: string): tf.Tensor1D =>
        isTensor(x)
          ? (tf.cast(tf.reshape(x, [-1]), 'float32') as tf.Tensor1D)
          : tf.tensor1d(Array.from(valuesOf(x, name)), 'float32');
      const target = toFlat(targetInput, 'target');
      const pred = toFlat(predInput, 'pred');
      const kept = ignore === undefined ? tf.cast(tf.onesLike(target), 'bool') : tf.notEqual(target, ignore);
      const inRange = (x: tf.Tensor) =>
        tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(x, 0), tf.less(x, c)), tf.equal(x, tf.floor(x)));
      const targetOk = inRange(target);
      const predOk = inRange(pred);
      const badTarget = tf.sum(tf.cast(tf.logicalAnd(kept, tf.logicalNot(targetOk)), 'int32'));
      const badPred = tf.sum(tf.cast(tf.logicalAnd(kept, tf.logicalNot(predOk)), 'int32'));
      const valid = tf.logicalAnd(kept, tf.logicalAnd(targetOk, predOk));
      const cell = tf.add(tf.mul(tf.cast(target, 'int32'), tf.scalar(c, 'int32')), tf.cast(pred, 'int32'));
      const index = tf.where(valid, cell, tf.fill(cell.shape, c * c, 'int32')) as tf.Tensor1D;
      const histogram = tf.denseBincount(index, tf.tensor1d([], 'int32'), c * c + 1);
      return tf.concat([tf.cast(histogram, 'int32'), tf.cast(tf.stack([badTarget, badPred]), 'int32')]);
    });
    // sync-read: update() is synchronous by contract; one small summary read per batch.
    const values = summary.dataSync();
    summary.dispose();
    const badTarget = values[c * c + 1]!;
    const badPred = values[c * c + 2]!;
    if (badTarget > 0) {
      throw new WaveMixArgumentError(
        'target',
        `${badTarget} values are neither class ids in [0, ${c}) nor the ignore index`,
      );
    }
    if (badPred > 0) throw new WaveMixArgumentError('pred', `${badPred} values are not class ids in [0, ${c})`);
    for (let i = 0; i < c * c; i++) this.counts[i]! += values[i]!;
  }

  /** Adds another matrix's counts (same number of classes), e.g. from another worker. */
  merge(other: ConfusionMatrix): this {
    if (other.numClasses !== this.numClasses) {
      throw new WaveMixArgumentError('other', `has ${other.numClasses} classes, expected ${this.numClasses}`);
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    return this;
  }

  reset(): void {
    this.counts.fill(0);
  }

  /** The counts as rows (true class) of columns (predicted class). */
  matrix(): number[][] {
    const c = this.numClasses;
    return Array.from({ length: c }, (_, r) => Array.from(this.counts.subarray(r * c, (r + 1) * c)));
  }

  /** Number of counted (non-ignored) samples or pixels. */
  total(): number {
    let sum = 0;
    for (const v of this.counts) sum += v;
    return sum;
  }

  /** Correct / counted; NaN when nothing was counted. */
  pixelAccuracy(): number {
    const total = this.total();
    if (total === 0) return NaN;
    let diagonal = 0;
    for (let i = 0; i < this.numClasses; i++) diagonal += this.counts[i * this.numClasses + i]!;
    return diagonal / total;
  }

  /** Same as {@link pixelAccuracy}, named for classification. */
  accuracy(): number {
    return this.pixelAccuracy();
  }

  /** Per class, TP / (samples of that class): recall. NaN for a class with no true samples. */
  perClassAccuracy(): number[] {
    const c = this.numClasses;
    return Array.from({ length: c }, (_, k) => {
      let row = 0;
      for (let j = 0; j < c; j++) row += this.counts[k * c + j]!;
      return row === 0 ? NaN : this.counts[k * c + k]! / row;
    });
  }

  /** Mean of {@link perClassAccuracy} over classes that have true samples (balanced accuracy). */
  meanClassAccuracy(): number {
    return nanMean(this.perClassAccuracy());
  }

  /** IoU_c = TP / (TP + FP + FN); NaN for a class absent from both predictions and targets. */
  perClassIoU(): number[] {
    const c = this.numClasses;
    return Array.from({ length: c }, (_, k) => {
      let row = 0;
      let column = 0;
      for (let j = 0; j < c; j++) {
        row += this.counts[k * c + j]!;
        column += this.counts[j * c + k]!;
      }
      const tp = this.counts[k * c + k]!;
      const union = row + column - tp;
      return union === 0 ? NaN : tp / union;
    });
  }

  /** Mean IoU over classes present in predictions or targets (absent classes are left out, not 0). */
  meanIoU(): number {
    return nanMean(this.perClassIoU());
  }
}

function nanMean(values: number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    count++;
  }
  return count === 0 ? NaN : sum / count;
}
