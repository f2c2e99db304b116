/**
 * One training run in the page: a WaveMix classifier, AdamW, seeded initial weights and seeded
 * batches, stepped one optimizer step at a time on the active tfjs backend (the panel yields
 * between steps, so the page stays responsive and Stop takes effect at the next step). Reads are
 * asynchronous only (`await t.data()`), which WebGPU needs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { leanVariableGrads } from '@wavemix/core';
import { createModel, type Preprocessing, type WaveMixConfig } from '@wavemix/models';
import { AdamW, computeLoss, correctCount } from '@wavemix/models/training';
import { seededRandom, shuffled, type ImageSet, type TrainingData } from './data';

const EVALUATION_BATCH = 100;

export interface TrainingOptions {
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  /** Seeds the initial weights and the batch order. */
  seed: number;
}

export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  accuracy: number;
  /** Wall time of the step, read-back included. */
  ms: number;
}

export interface Evaluation {
  step: number;
  loss: number;
  accuracy: number;
  count: number;
}

/** Per-channel mean and std of the training images (in [0, 1]), the normalisation the model is trained and saved with. */
export function channelStats(set: ImageSet, channels: number): Preprocessing {
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  for (let i = 0; i < set.images.length; i++) {
    const v = set.images[i]! / 255;
    sum[i % channels]! += v;
    squares[i % channels]! += v * v;
  }
  const n = set.images.length / channels;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(squares, (s, c) => Math.sqrt(Math.max(s / n - mean[c]! ** 2, 1e-12)));
  return { colorSpace: channels === 1 ? 'grayscale' : 'rgb', mean, std };
}

/**
 * PyTorch's default initialisation (kaiming-uniform with a = √5: U(-b, b), b = 1/√fan_in, for
 * kernels and their layer's bias alike) from a seeded generator, so that every backend starts from
 * the same weights. fan_in is the product of every kernel dimension but the last (conv
 * [kh, kw, in, out], dense [in, out], and transposed conv [kh, kw, out, in] as PyTorch counts it).
 * Batch-norm scales and shifts keep their constant initial values.
 */
export function seedWeights(model: LayersModel, seed: number): void {
  const random = seededRandom(seed);
  const layerOf = (name: string) => name.slice(0, name.lastIndexOf('/'));
  const fanIns = new Map<string, number>();
  for (const weight of model.trainableWeights) {
    const shape = weight.shape as number[];
    if (shape.length >= 2)
      fanIns.set(
        layerOf(weight.name),
        shape.slice(0, -1).reduce((a, b) => a * b, 1),
      );
  }
  for (const weight of model.trainableWeights) {
    const shape = weight.shape as number[];
    const fanIn = fanIns.get(layerOf(weight.name));
    // tfjs suffixes the names of later models' weights (bias_1, ...).
    if (fanIn === undefined || (shape.length < 2 && !/\/bias(_\d+)?$/.test(weight.name))) continue;
    const bound = 1 / Math.sqrt(fanIn);
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (2 * random() - 1) * bound);
    const tensor = tf.tensor(values, shape);
    weight.write(tensor);
    tensor.dispose();
  }
}

export class TrainingSession {
  readonly model: LayersModel;
  readonly history: StepRecord[] = [];
  readonly evaluations: Evaluation[] = [];
  private readonly optimizer: AdamW;
  private readonly variables: tf.Variable[];
  private readonly random: () => number;
  private order: number[] = [];
  private cursor = 0;
  step = 0;
  epoch = 0;

  constructor(
    config: WaveMixConfig,
    readonly data: TrainingData,
    readonly options: TrainingOptions,
    readonly preprocessing: Preprocessing = channelStats(data.train, data.channels),
  ) {
    this.model = createModel(
      {
        ...config,
        task: 'classification',
        inChannels: data.channels,
        numClasses: data.classNames.length,
        inputSize: [data.height, data.width],
      },
      { preprocessing, classNames: data.classNames },
    );
    seedWeights(this.model, options.seed);
    this.variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.optimizer = new AdamW({ learningRate: options.learningRate, weightDecay: options.weightDecay });
    this.random = seededRandom(options.seed + 1);
  }

  /** `[n, h, w, c]` normalised inputs and their labels for `indices` of `set`. */
  private batch(set: ImageSet, indices: number[]): { x: tf.Tensor4D; y: tf.Tensor1D } {
    const { height, width, channels } = this.data;
    const size = height * width * channels;
    const { mean, std } = this.preprocessing;
    const values = new Float32Array(indices.length * size);
    indices.forEach((index, i) => {
      for (let j = 0; j < size; j++)
        values[i * size + j] = (set.images[index * size + j]! / 255 - mean[j % channels]!) / std[j % channels]!;
    });
    return {
      x: tf.tensor4d(values, [indices.length, height, width, channels]),
      y: tf.tensor1d(
        Int32Array.from(indices, (index) => set.labels[index]!),
        'int32',
      ),
    };
  }

  /** The next batch's indices; a new seeded order each epoch (the last partial batch is dropped). */
  private nextIndices(): number[] {
    const { batchSize } = this.options;
    if (this.order.length === 0 || this.cursor + batchSize > this.order.length) {
      if (this.order.length > 0) this.epoch++;
      this.order = shuffled(this.data.train.count, this.random);
      this.cursor = 0;
    }
    const indices = this.order.slice(this.cursor, this.cursor + batchSize);
    this.cursor += batchSize;
    return indices;
  }

  /** One optimizer step: forward (training mode), loss, gradients, AdamW update. */
  async trainStep(): Promise<StepRecord> {
    const started = performance.now();
    const { x, y } = this.batch(this.data.train, this.nextIndices());
    let correct: tf.Scalar | null = null;
    const { value, grads } = leanVariableGrads(() => {
      const logits = this.model.apply(x, { training: true }) as tf.Tensor;
      correct = tf.keep(correctCount(logits, y));
      return computeLoss('sparseSoftmaxCrossEntropy', logits, y);
    }, this.variables);
    this.optimizer.applyGradients(grads);
    const [loss, hits] = await Promise.all([value.data(), correct!.data()]);
    tf.dispose([x, y, value, correct!, ...Object.values(grads)]);
    this.step++;
    const record = {
      step: this.step,
      epoch: this.epoch,
      loss: loss[0]!,
      accuracy: hits[0]! / x.shape[0],
      ms: performance.now() - started,
    };
    this.history.push(record);
    return record;
  }

  /** Loss and accuracy on the test split (inference mode), in batches. */
  async evaluate(onBatch?: (done: number, total: number) => Promise<void>): Promise<Evaluation> {
    const { test } = this.data;
    let lossSum = 0;
    let hits = 0;
    // Inference needs no gradients: larger batches, fewer dispatches (what a GPU backend pays per batch).
    const batchSize = Math.max(this.options.batchSize, EVALUATION_BATCH);
    for (let start = 0; start < test.count; start += batchSize) {
      const indices = Array.from({ length: Math.min(batchSize, test.count - start) }, (_, i) => start + i);
      const { x, y } = this.batch(test, indices);
      const [loss, correct] = tf.tidy(() => {
        const logits = this.model.apply(x, { training: false }) as tf.Tensor;
        return [tf.mul(computeLoss('sparseSoftmaxCrossEntropy', logits, y), indices.length), correctCount(logits, y)];
      });
      const [l, c] = await Promise.all([loss!.data(), correct!.data()]);
      tf.dispose([x, y, loss!, correct!]);
      lossSum += l[0]!;
      hits += c[0]!;
      await onBatch?.(start + indices.length, test.count);
    }
    const evaluation = { step: this.step, loss: lossSum / test.count, accuracy: hits / test.count, count: test.count };
    this.evaluations.push(evaluation);
    return evaluation;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
