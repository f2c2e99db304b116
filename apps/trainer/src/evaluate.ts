/**
 * Evaluation over a whole split in inference mode: the task metric (accuracy / mIoU / PSNR+SSIM),
 * plus what the report needs (confusion matrix, per-class figures, the worst-classified examples).
 */
import * as tf from '@tensorflow/tfjs';
import { createPipeline, disposeBatch, type Dataset } from '@wavemix/datasets';
import { ConfusionMatrix, ExpectedCalibrationError, SuperResolutionMetrics, TopKAccuracy } from '@wavemix/metrics';
import { yCbCrToRgb } from '@wavemix/models';
import { classificationLoss, segmentationLoss, superResolutionLoss } from '@wavemix/models/training';
import { toModelColorSpace, type TrainerTask } from './tasks';

export interface EvaluationMetrics {
  loss: number;
  accuracy?: number;
  top5Accuracy?: number;
  expectedCalibrationError?: number;
  meanIoU?: number;
  pixelAccuracy?: number;
  psnr?: number;
  ssim?: number;
}

export interface WorstExample {
  /** Index within the evaluated split. */
  index: number;
  label: number;
  predicted: number;
  /** Probability the model gave the true class. */
  trueClassProbability: number;
}

export interface Evaluation {
  /** The metric early stopping and best-checkpoint selection maximise. */
  primary: number;
  summary: string;
  metrics: EvaluationMetrics;
  confusion: ConfusionMatrix | null;
  worst: WorstExample[];
  classNames: readonly string[];
}

export interface EvaluateOptions {
  task: TrainerTask;
  batchSize: number;
  ignoreIndex: number | undefined;
  ycbcr: boolean;
  /** How many worst-classified examples to keep (0: none). */
  worst: number;
  seed: number;
}

export async function evaluate(model: tf.LayersModel, data: Dataset, options: EvaluateOptions): Promise<Evaluation> {
  const pipeline = createPipeline(data, {
    batchSize: options.batchSize,
    shuffle: false,
    augment: false,
    seed: options.seed,
  });
  const numClasses = data.numClasses;
  const top1 = new TopKAccuracy(1);
  const top5 = numClasses > 5 ? new TopKAccuracy(5) : null;
  const calibration = new ExpectedCalibrationError({ input: 'logits' });
  const confusion =
    options.task === 'super-resolution' ? null : new ConfusionMatrix(numClasses, { ignoreIndex: options.ignoreIndex });
  // Super-resolution: one metrics object per batch (array inputs carry their batch's shape), per-image values pooled.
  const srOptions = { scale: data.scale ?? 2, dataRange: 1, yChannel: true };
  const psnrPerImage: number[] = [];
  const ssimPerImage: number[] = [];
  let worst: WorstExample[] = [];
  let lossSum = 0;
  let examples = 0;
  let offset = 0;
  try {
    for await (const batch of pipeline.epochBatches()) {
      const n = batch.indices.length;
      const output = tf.tidy(() => model.predict(toModelColorSpace(batch.xs, options.ycbcr)) as tf.Tensor);
      const loss = tf.tidy(() => {
        if (options.task === 'classification') return classificationLoss(output, batch.ys);
        if (options.task === 'segmentation') return segmentationLoss(output, batch.ys, options.ignoreIndex ?? 255);
        return superResolutionLoss(output, toModelColorSpace(batch.ys as tf.Tensor4D, options.ycbcr));
      });
      // The metrics get typed arrays read asynchronously: their tensor inputs read synchronously,
      // which WebGPU in Node cannot do (and which stalls a WebGL page).
      lossSum += (await loss.data())[0]! * n;
      examples += n;
      const labels = await batch.ys.data();
      if (options.task === 'classification') {
        const logits = await output.data();
        top1.update(logits, labels);
        top5?.update(logits, labels);
        calibration.update(logits, labels);
        confusion!.update(argMaxRows(logits, numClasses), labels);
        if (options.worst > 0)
          worst = mergeWorst(worst, worstOfBatch(logits, labels, numClasses, offset), options.worst);
      } else if (options.task === 'segmentation') {
        const predicted = tf.argMax(output, -1);
        confusion!.update(await predicted.data(), labels);
        predicted.dispose();
      } else {
        const rgb = tf.tidy(() => tf.clipByValue(options.ycbcr ? yCbCrToRgb(output, 1) : output, 0, 1));
        const batchMetrics = new SuperResolutionMetrics({ ...srOptions, shape: rgb.shape });
        batchMetrics.update(await rgb.data(), labels);
        psnrPerImage.push(...batchMetrics.psnrPerImage);
        ssimPerImage.push(...batchMetrics.ssimPerImage);
        rgb.dispose();
      }
      tf.dispose([output, loss]);
      disposeBatch(batch);
      offset += n;
    }
  } finally {
    await pipeline.dispose();
  }
  const loss = lossSum / Math.max(1, examples);
  if (options.task === 'classification') {
    const accuracy = top1.result();
    return {
      primary: accuracy,
      summary: `loss ${loss.toFixed(4)} acc ${accuracy.toFixed(4)}`,
      metrics: { loss, accuracy, top5Accuracy: top5?.result(), expectedCalibrationError: calibration.result() },
      confusion,
      worst,
      classNames: data.classNames,
    };
  }
  if (options.task === 'segmentation') {
    const meanIoU = confusion!.meanIoU();
    return {
      primary: meanIoU,
      summary: `loss ${loss.toFixed(4)} mIoU ${meanIoU.toFixed(4)}`,
      metrics: { loss, meanIoU, pixelAccuracy: confusion!.pixelAccuracy() },
      confusion,
      worst: [],
      classNames: data.classNames,
    };
  }
  const psnr = mean(psnrPerImage);
  const ssim = mean(ssimPerImage);
  return {
    primary: psnr,
    summary: `loss ${loss.toFixed(4)} PSNR ${psnr.toFixed(2)} dB SSIM ${ssim.toFixed(4)}`,
    metrics: { loss, psnr, ssim },
    confusion: null,
    worst: [],
    classNames: [],
  };
}

/** Row-wise argmax of row-major `[n, numClasses]` logits (first maximum, as tf.argMax). */
function argMaxRows(logits: ArrayLike<number>, numClasses: number): Int32Array {
  const n = logits.length / numClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (logits[i * numClasses + c]! > logits[i * numClasses + best]!) best = c;
    out[i] = best;
  }
  return out;
}

function worstOfBatch(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  offset: number,
): WorstExample[] {
  const predicted = argMaxRows(logits, numClasses);
  const out: WorstExample[] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (predicted[i] === label) continue;
    // Softmax probability of the true class, max-shifted for stability.
    const row = i * numClasses;
    const max = logits[row + predicted[i]!]!;
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += Math.exp(logits[row + c]! - max);
    out.push({
      index: offset + i,
      label,
      predicted: predicted[i]!,
      trueClassProbability: Math.exp(logits[row + label]! - max) / sum,
    });
  }
  return out;
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

function mergeWorst(a: WorstExample[], b: WorstExample[], keep: number): WorstExample[] {
  return [...a, ...b]
    .sort((x, y) => x.trueClassProbability - y.trueClassProbability || x.index - y.index)
    .slice(0, keep);
}
