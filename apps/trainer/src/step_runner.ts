/**
 * One optimizer step on a batch: forward, loss, gradients and update, on the main thread alone or
 * with the batch split across data-parallel worker threads (same loss function either way, from
 * @wavemix/models/training). Returns plain numbers: the loss and, for classification and
 * segmentation, the correct predictions out of `count` (images, or labelled pixels).
 */
import * as tf from '@tensorflow/tfjs';
import { leanVariableGrads } from '@wavemix/core';
import { computeLoss, correctCount, type LossName } from '@wavemix/models/training';
import { DataParallel } from '@wavemix/parallel';
import { UsageError } from './errors';
import { toModelColorSpace, type TrainerTask } from './tasks';

export interface StepResult {
  loss: number;
  correct: number | null;
  count: number;
}

/** A step whose results are still on the device. */
interface PendingStep {
  loss: tf.Scalar;
  correct: tf.Scalar | null;
  count: tf.Scalar | number;
}

function tensorsOf(step: PendingStep): tf.Tensor[] {
  return [step.loss, ...(step.correct ? [step.correct] : []), ...(typeof step.count === 'number' ? [] : [step.count])];
}

export interface StepRunnerOptions {
  task: TrainerTask;
  /** Segmentation's void label (pixels not counted in the loss or the accuracy). */
  ignoreIndex: number | undefined;
  /** WaveMixSR: inputs and targets are converted to YCbCr. */
  ycbcr: boolean;
  /** Steps whose results are read back together (1: every step; GPU backends: `--loss-read-every`). */
  readEvery?: number | undefined;
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
  throw new UsageError(
    `--loss ${choice} does not apply to ${task} (focal: classification or segmentation; huber: super-resolution)`,
  );
}

export class StepRunner {
  private readonly variables: tf.Variable[];
  private parallel: DataParallel | null = null;
  private readonly loss: LossName;
  private pending: PendingStep[] = [];

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

  /**
   * Runs one step. Returns the results read so far, oldest first: every step on cpu/wasm
   * (`readEvery` 1), or the last `readEvery` steps at once on GPU backends, where each read waits
   * for the device queue to drain. {@link flush} reads the steps still pending.
   */
  async step(xs: tf.Tensor4D, ys: tf.Tensor, optimizer: tf.Optimizer): Promise<StepResult[]> {
    if (this.parallel) return [await this.parallelStep(xs, ys, optimizer, this.parallel)];
    this.pending.push(this.singleStep(xs, ys, optimizer));
    return this.pending.length >= (this.options.readEvery ?? 1) ? this.flush() : [];
  }

  /** Reads the pending steps' loss, correct count and count in one download. */
  async flush(): Promise<StepResult[]> {
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0) return [];
    const packed = tf.tidy(() =>
      tf.stack(
        pending.map((p) =>
          tf.stack(
            [p.loss, p.correct ?? tf.scalar(0), typeof p.count === 'number' ? tf.scalar(p.count) : p.count].map((t) =>
              tf.cast(t, 'float32'),
            ),
          ),
        ),
      ),
    );
    try {
      const values = await packed.data();
      return pending.map((p, i) => ({
        loss: values[3 * i]!,
        correct: p.correct === null ? null : values[3 * i + 1]!,
        count: typeof p.count === 'number' ? p.count : values[3 * i + 2]!,
      }));
    } finally {
      tf.dispose([packed, ...pending.flatMap(tensorsOf)]);
    }
  }

  private singleStep(xs: tf.Tensor4D, ys: tf.Tensor, optimizer: tf.Optimizer): PendingStep {
    const { task, ignoreIndex, ycbcr } = this.options;
    let correctTensor: tf.Scalar | null = null;
    const { value, grads } = leanVariableGrads(() => {
      const input = toModelColorSpace(xs, ycbcr);
      const output = this.model.apply(input, { training: true }) as tf.Tensor;
      if (task === 'super-resolution')
        return computeLoss(this.loss, output, toModelColorSpace(ys as tf.Tensor4D, ycbcr));
      correctTensor = tf.keep(correctCount(output, ys, ignoreIndex));
      return computeLoss(this.loss, output, ys, task === 'segmentation' ? { ignoreIndex: ignoreIndex ?? 255 } : {});
    }, this.variables);
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
    const count =
      task === 'segmentation' && ignoreIndex !== undefined
        ? tf.tidy(() => tf.sum(tf.cast(tf.notEqual(ys, ignoreIndex), 'float32')) as tf.Scalar)
        : ys.shape[0]!;
    return { loss: value, correct: correctTensor, count };
  }

  private async parallelStep(
    xs: tf.Tensor4D,
    ys: tf.Tensor,
    optimizer: tf.Optimizer,
    parallel: DataParallel,
  ): Promise<StepResult> {
    const { task, ycbcr } = this.options;
    const input = toModelColorSpace(xs, ycbcr);
    const target = task === 'super-resolution' ? toModelColorSpace(ys as tf.Tensor4D, ycbcr) : ys;
    try {
      const { value, grads, correct, count } = await parallel.valueAndGrads(input, target);
      optimizer.applyGradients(grads);
      const loss = (await value.data())[0]!;
      tf.dispose([value, ...Object.values(grads)]);
      return { loss, correct, count };
    } finally {
      if (input !== xs) input.dispose();
      if (target !== ys) target.dispose();
    }
  }

  async dispose(): Promise<void> {
    tf.dispose(this.pending.flatMap(tensorsOf));
    this.pending = [];
    await this.parallel?.dispose();
    this.parallel = null;
  }
}
