/**
 * The trainer's training step (apps/trainer/src/step_runner.ts, main-thread path) for the step
 * profile: forward, loss, gradients and update of @wavemix/models' AdamW, the loss and correct
 * count kept on the device and read back together every `readEvery` steps. Each step's batch
 * is a new tensor made from host arrays, as the trainer's data pipeline makes them.
 */
import * as tf from '@tensorflow/tfjs';
import { leanVariableGrads } from '@wavemix/core';
import { AdamW, resolveConfig, type WaveMixConfig } from '@wavemix/models';
import { computeLoss, correctCount, type LossName } from '@wavemix/models/training';

interface PendingStep {
  loss: tf.Scalar;
  correct: tf.Scalar | null;
}

/** Deterministic host data for the batches (a linear congruential generator: no tfjs work). */
function hostRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export class ProfiledTrainingStep {
  private readonly variables: tf.Variable[];
  private readonly optimizer: AdamW;
  private readonly loss: LossName;
  private readonly classes: number | null;
  private readonly segmentation: boolean;
  private pending: PendingStep[] = [];
  private readonly random = hostRandom(7);

  constructor(
    private readonly model: tf.LayersModel,
    config: WaveMixConfig,
    private readonly batchSize: number,
    private readonly readEvery: number,
  ) {
    this.variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    // mnist-quick's optimizer settings (the trainer's default AdamW).
    this.optimizer = new AdamW({ learningRate: 3e-3, weightDecay: 0.01 });
    const task = resolveConfig(config).task;
    this.segmentation = task === 'segmentation';
    this.classes = task === 'classification' || this.segmentation ? (config.numClasses ?? 1000) : null;
    // The trainer's losses: cross-entropy on class ids; mean absolute error for super-resolution.
    this.loss = this.classes === null ? 'meanAbsoluteError' : 'sparseSoftmaxCrossEntropy';
  }

  private hostBatch(): { xs: tf.Tensor4D; ys: tf.Tensor } {
    const inShape = this.model.inputs[0]!.shape.slice(1) as number[];
    const outShape = this.model.outputs[0]!.shape.slice(1) as number[];
    const xShape = [this.batchSize, ...inShape] as [number, number, number, number];
    const x = new Float32Array(xShape.reduce((a, b) => a * b, 1)).map(() => this.random() * 2 - 1);
    const xs = tf.tensor4d(x, xShape);
    if (this.classes === null) {
      const yShape = [this.batchSize, ...outShape];
      const y = new Float32Array(yShape.reduce((a, b) => a * b, 1)).map(() => this.random());
      return { xs, ys: tf.tensor(y, yShape) };
    }
    const yShape = this.segmentation ? [this.batchSize, ...outShape.slice(0, -1)] : [this.batchSize];
    const y = new Int32Array(yShape.reduce((a, b) => a * b, 1)).map(() => Math.floor(this.random() * this.classes!));
    return { xs, ys: tf.tensor(y, yShape, 'int32') };
  }

  /** Enqueues one step; reads the pending results when `readEvery` steps are waiting (returns how many were read). */
  async step(): Promise<number> {
    const { xs, ys } = this.hostBatch();
    let correct: tf.Scalar | null = null;
    const { value, grads } = leanVariableGrads(() => {
      const output = this.model.apply(xs, { training: true }) as tf.Tensor;
      if (this.classes !== null) correct = tf.keep(correctCount(output, ys));
      return computeLoss(this.loss, output, ys);
    }, this.variables);
    this.optimizer.applyGradients(grads);
    tf.dispose([xs, ys, ...Object.values(grads)]);
    this.pending.push({ loss: value, correct });
    return this.pending.length >= this.readEvery ? (await this.flush()).length : 0;
  }

  /** The trainer's flush: every pending loss, correct count and count in one download. */
  async flush(): Promise<number[]> {
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0) return [];
    const packed = tf.tidy(() =>
      tf.stack(
        pending.map((p) =>
          tf.stack([p.loss, p.correct ?? tf.scalar(0), tf.scalar(this.batchSize)].map((t) => tf.cast(t, 'float32'))),
        ),
      ),
    );
    try {
      const values = await packed.data();
      return pending.map((_, i) => values[3 * i]!);
    } finally {
      tf.dispose([packed, ...pending.flatMap((p) => (p.correct ? [p.loss, p.correct] : [p.loss]))]);
    }
  }

  dispose(): void {
    tf.dispose(this.pending.flatMap((p) => (p.correct ? [p.loss, p.correct] : [p.loss])));
    this.pending = [];
    this.optimizer.dispose();
  }
}
