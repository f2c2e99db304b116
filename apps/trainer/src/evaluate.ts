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
  const pipeline = createPipeline(data, { batchSize: options.batchSize, shuffle: false, augment: false, seed: options.seed });
  const numClasses = data.numClasses;
  const top1 = new TopKAccuracy(1);
  const top5 = numClasses > 5 ? new TopKAccuracy(5) : null;
  const calibration = new ExpectedCalibrationError({ input: 'logits' });
  const confusion =
    options.task === 'super-resolution' ? null : new ConfusionMatrix(numClasses, { ignoreIndex: options.ignoreIndex });
  const sr = options.task === 'super-resolution' ? new SuperResolutionMetrics({ scale: data.scale ?? 2, dataRange: 1, yChannel: true }) : null;
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
      lossSum += (await loss.data())[0]! * n;
      examples += n;
      if (options.task === 'classification') {
        top1.update(output, batch.ys);
        top5?.update(output, batch.ys);
        calibration.update(output, batch.ys);
        confusion!.updateFromLogits(output, batch.ys);
        if (options.worst > 0) worst = mergeWorst(worst, await worstOfBatch(output, batch.ys, offset), options.worst);
      } else if (options.task === 'segmentation') {
        confusion!.updateFromLogits(output, batch.ys);
      } else {
        const rgb = tf.tidy(() => tf.clipByValue(options.ycbcr ? yCbCrToRgb(output, 1) : output, 0, 1));
        sr!.update(rgb, batch.ys);
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
  const { psnr, ssim } = sr!.result();
  return {
    primary: psnr,
    summary: `loss ${loss.toFixed(4)} PSNR ${psnr.toFixed(2)} dB SSIM ${ssim.toFixed(4)}`,
    metrics: { loss, psnr, ssim },
    confusion: null,
    worst: [],
    classNames: [],
  };
}

async function worstOfBatch(logits: tf.Tensor, labels: tf.Tensor, offset: number): Promise<WorstExample[]> {
  const [probabilities, predicted] = tf.tidy(() => {
    const p = tf.softmax(logits);
    return [p, tf.argMax(p, -1)] as const;
  });
  const p = await probabilities.data();
  const pred = await predicted.data();
  const y = await labels.data();
  tf.dispose([probabilities, predicted]);
  const k = logits.shape[1]!;
  const out: WorstExample[] = [];
  for (let i = 0; i < y.length; i++) {
    const label = y[i]!;
    if (pred[i] !== label) {
      out.push({ index: offset + i, label, predicted: pred[i]!, trueClassProbability: p[i * k + label]! });
    }
  }
  return out;
}

function mergeWorst(a: WorstExample[], b: WorstExample[], keep: number): WorstExample[] {
  return [...a, ...b].sort((x, y) => x.trueClassProbability - y.trueClassProbability || x.index - y.index).slice(0, keep);
}
