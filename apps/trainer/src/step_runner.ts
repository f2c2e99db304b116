/**
 * One optimizer step on a batch: forward, loss, gradients and update, on the main thread alone or
 * with the batch split across data-parallel worker threads (same loss function either way, from
 * @wavemix/models/training). Returns plain numbers: the loss and, for classification and
 * segmentation, the correct predictions out of `count` (images, or labelled pixels).
 */
import * as tf from '@tensorflow/tfjs';
import { computeLoss, correctCount, type LossName } from '@wavemix/models/training';
import { DataParallel } from '@wavemix/parallel';
import { UsageError } from './errors';
import { toModelColorSpace, type TrainerTask } from './tasks';

export interface StepResult {
  loss: number;
  correct: number | null;
  count: number;
}

export interface StepRunnerOptions {
  task: TrainerTask;
  /** Segmentation's void label (pixels not counted in the loss or the accuracy). */
  ignoreIndex: number | undefined;
  /** WaveMixSR: inputs and targets are converted to YCbCr. */
  ycbcr: boolean;
  /** `--loss`: the task's default, or the official recipes' focal (classification, segmentation) / Huber on Y (super-resolution). */
  loss?: 'default' | 'focal' | 'huber' | undefined;
}

const TASK_LOSS: Record<TrainerTask, LossName> = {
  classification: 'sparseSoftmaxCrossEntropy',
  segmentation: 'sparseSoftmaxCrossEntropy',
  'super-resolution': 'meanAbsoluteError',
};

/** The named loss of a task and `--loss` choice (the same name drives the worker threads). */
export function trainingLoss(task: TrainerTask, choice: StepRunnerOptions['loss']): LossName {
  if (choice === undefined || choice === 'default') return TASK_LOSS[task];
  if (choice === 'focal' && task !== 'super-resolution') return 'focal';
  if (choice === 'huber' && task === 'super-resolution') return 'huberY';
  throw new UsageError(`--loss ${choice} does not apply to ${task} (focal: classification or segmentation; huber: super-resolution)`);
}

export class StepRunner {
  private readonly variables: tf.Variable[];
  private parallel: DataParallel | null = null;
  private readonly loss: LossName;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly options: StepRunnerOptions,
  ) {
    this.variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.loss = trainingLoss(options.task, options.loss);
  }

  /** Worker threads sharing each batch (0: the main thread alone). */
  get workers(): number {
    return this.parallel ? this.parallel.threads - 1 : 0;
  }

  /**
   * Starts `workers` data-parallel worker threads; they need the wasm backend (returns a reason
   * when they cannot be used, null when started or not asked for).
   */
  async startWorkers(workers: number, backend: string): Promise<string | null> {
    if (workers === 0) return null;
    if (backend !== 'wasm') return `--workers ${workers} ignored: data parallelism needs the wasm backend`;
    const { task, ignoreIndex } = this.options;
    this.parallel = await DataParallel.create(this.model, {
      workers,
      loss: this.loss,
      ...(task === 'segmentation' ? { ignoreIndex } : {}),
    });
    return null;
  }

  async step(xs: tf.Tensor4D, ys: tf.Tensor, optimizer: tf.Optimizer): Promise<StepResult> {
    return this.parallel ? this.parallelStep(xs, ys, optimizer, this.parallel) : this.singleStep(xs, ys, optimizer);
  }

  private singleStep(xs: tf.Tensor4D, ys: tf.Tensor, optimizer: tf.Optimizer): StepResult {
    const { task, ignoreIndex, ycbcr } = this.options;
    let correctTensor: tf.Scalar | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const input = toModelColorSpace(xs, ycbcr);
      const output = this.model.apply(input, { training: true }) as tf.Tensor;
      if (task === 'super-resolution') return computeLoss(this.loss, output, toModelColorSpace(ys as tf.Tensor4D, ycbcr));
      correctTensor = tf.keep(correctCount(output, ys, ignoreIndex));
      return computeLoss(this.loss, output, ys, task === 'segmentation' ? { ignoreIndex: ignoreIndex ?? 255 } : {});
    }, this.variables);
    optimizer.applyGradients(grads);
    const loss = value.dataSync()[0]!;
    const correct = correctTensor === null ? null : (correctTensor as tf.Scalar).dataSync()[0]!;
    const count =
      task === 'segmentation' && ignoreIndex !== undefined
        ? tf.tidy(() => tf.sum(tf.cast(tf.notEqual(ys, ignoreIndex), 'float32')).dataSync()[0]!)
        : ys.shape[0]!;
    tf.dispose([value, correctTensor ?? [], ...Object.values(grads)]);
    return { loss, correct, count };
  }

  private async parallelStep(xs: tf.Tensor4D, ys: tf.Tensor, optimizer: tf.Optimizer, parallel: DataParallel): Promise<StepResult> {
    const { task, ycbcr } = this.options;
    const input = toModelColorSpace(xs, ycbcr);
    const target = task === 'super-resolution' ? toModelColorSpace(ys as tf.Tensor4D, ycbcr) : ys;
    try {
      const { value, grads, correct, count } = await parallel.valueAndGrads(input, target);
      optimizer.applyGradients(grads);
      const loss = value.dataSync()[0]!;
      tf.dispose([value, ...Object.values(grads)]);
      return { loss, correct, count };
    } finally {
      if (input !== xs) input.dispose();
      if (target !== ys) target.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.parallel?.dispose();
    this.parallel = null;
  }
}
