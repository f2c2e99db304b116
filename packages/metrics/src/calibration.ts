import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '@wavemix/core';
import { assertPositiveInteger, isTensor, lengthOf, valuesOf, type MetricInput } from './input';

export interface CalibrationOptions {
  /** Equal-width confidence bins over [0, 1]; 15 by default. */
  numBins?: number;
  /** Whether `scores` are class probabilities (default) or logits (a softmax is applied). */
  input?: 'probabilities' | 'logits';
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean top-1 confidence of the bin's samples (NaN when empty). */
  confidence: number;
  /** Fraction of the bin's samples whose top-1 prediction is right (NaN when empty). */
  accuracy: number;
}

/**
 * Streaming expected calibration error (Guo et al. 2017): samples are binned by their top-1
 * confidence into equal-width bins `(b/B, (b+1)/B]` (a confidence of exactly 0 goes to the first
 * bin), and ECE = sum over bins of (count / N) * |accuracy - mean confidence|. The top-1
 * prediction is the first maximum, as `argMax` picks it.
 */
export class ExpectedCalibrationError {
  readonly numBins: number;
  readonly input: 'probabilities' | 'logits';
  private readonly count: Float64Array;
  private readonly confidenceSum: Float64Array;
  private readonly correctSum: Float64Array;
  private readonly edges: Float64Array;

  constructor(options: CalibrationOptions = {}) {
    this.numBins = options.numBins ?? 15;
    assertPositiveInteger(this.numBins, 'numBins');
    this.input = options.input ?? 'probabilities';
    if (this.input !== 'probabilities' && this.input !== 'logits') {
      throw new WaveMixArgumentError('input', `expected 'probabilities' or 'logits', got ${String(this.input)}`);
    }
    this.count = new Float64Array(this.numBins);
    this.confidenceSum = new Float64Array(this.numBins);
    this.correctSum = new Float64Array(this.numBins);
    this.edges = Float64Array.from({ length: this.numBins + 1 }, (_, b) => b / this.numBins);
  }

  /** Adds scores `[n, C]` (probabilities or logits) and integer labels `[n]`. */
  update(scores: MetricInput, labels: MetricInput): this {
    const n = lengthOf(labels);
    if (n === 0) return this;
    const { confidence, prediction, numClasses } = this.topOne(scores, n);
    const labelValues = valuesOf(labels, 'labels');
    for (let i = 0; i < n; i++) {
      const label = labelValues[i]!;
      if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
        throw new WaveMixArgumentError('labels', `labels[${i}] = ${label} is not a class id in [0, ${numClasses})`);
      }
      const conf = confidence[i]!;
      if (!(conf >= 0 && conf <= 1)) {
        throw new WaveMixArgumentError(
          'scores',
          `row ${i} has top-1 confidence ${conf} outside [0, 1]; pass { input: 'logits' } for logits`,
        );
      }
      const bin = this.binOf(conf);
      this.count[bin]! += 1;
      this.confidenceSum[bin]! += conf;
      if (prediction[i] === label) this.correctSum[bin]! += 1;
    }
    return this;
  }

  private binOf(conf: number): number {
    // Smallest b with conf <= edges[b + 1]; bins are (lower, upper].
    let lo = 0;
    let hi = this.numBins - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (conf <= this.edges[mid + 1]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private topOne(
    scores: MetricInput,
    n: number,
  ): { confidence: ArrayLike<number>; prediction: ArrayLike<number>; numClasses: number } {
    if (isTensor(scores)) {
      if (scores.rank !== 2 || scores.shape[0] !== n) {
        throw new WaveMixArgumentError('scores', `expected shape [${n}, numClasses], got [${scores.shape}]`);
      }
      const numClasses = scores.shape[1]!;
      const [conf, pred] = tf.tidy(() => {
        const p = this.input === 'logits' ? tf.softmax(tf.cast(scores, 'float32')) : tf.cast(scores, 'float32');
        return [tf.max(p, 1), tf.argMax(p, 1)];
      });
      // sync-read: update() is synchronous by contract; two per-sample vectors per batch.
      const confidence = conf!.dataSync();
      const prediction = pred!.dataSync(); // sync-read: as above
      tf.dispose([conf!, pred!]);
      return { confidence, prediction, numClasses };
    }
    const values = valuesOf(scores, 'scores');
    if (values.length % n !== 0 || values.length === 0) {
      throw new WaveMixArgumentError('scores', `length ${values.length} is not a multiple of the ${n} labels`);
    }
    const numClasses = values.length / n;
    const confidence = new Float64Array(n);
    const prediction = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const row = i * numClasses;
      let best = 0;
      for (let c = 1; c < numClasses; c++) if (values[row + c]! > values[row + best]!) best = c;
      prediction[i] = best;
      if (this.input === 'logits') {
        const max = values[row + best]!;
        let sum = 0;
        for (let c = 0; c < numClasses; c++) sum += Math.exp(values[row + c]! - max);
        confidence[i] = 1 / sum;
      } else {
        confidence[i] = values[row + best]!;
      }
    }
    return { confidence, prediction, numClasses };
  }

  /** The expected calibration error; NaN before any sample. */
  result(): number {
    let total = 0;
    for (const c of this.count) total += c;
    if (total === 0) return NaN;
    let ece = 0;
    for (let b = 0; b < this.numBins; b++) {
      const count = this.count[b]!;
      if (count === 0) continue;
      ece += (count / total) * Math.abs(this.correctSum[b]! / count - this.confidenceSum[b]! / count);
    }
    return ece;
  }

  /** Per-bin counts, mean confidence and accuracy (a reliability diagram). */
  bins(): CalibrationBin[] {
    return Array.from({ length: this.numBins }, (_, b) => {
      const count = this.count[b]!;
      return {
        lower: this.edges[b]!,
        upper: this.edges[b + 1]!,
        count,
        confidence: count === 0 ? NaN : this.confidenceSum[b]! / count,
        accuracy: count === 0 ? NaN : this.correctSum[b]! / count,
      };
    });
  }

  reset(): void {
    this.count.fill(0);
    this.confidenceSum.fill(0);
    this.correctSum.fill(0);
  }
}

/** ECE of `scores` `[n, C]` against `labels` `[n]` with 15 equal-width bins by default. */
export function expectedCalibrationError(
  scores: MetricInput,
  labels: MetricInput,
  options: CalibrationOptions = {},
): number {
  return new ExpectedCalibrationError(options).update(scores, labels).result();
}
