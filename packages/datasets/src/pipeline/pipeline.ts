import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../dataset';
import { DatasetArgumentError } from '../errors';
import { hashWords, permutation, STREAM } from '../rng';
import { limitDataset } from '../split';
import {
  prepareBatch,
  resolveAugment,
  type AugmentOptions,
  type BatchRequest,
  type PrepareConfig,
  type PreparedBatch,
} from './prepare';

/** Prepares batches (in this thread, or in workers: see `workerExecutor` in `@wavemix/datasets/node`). */
export interface BatchExecutor {
  prepare(request: BatchRequest): Promise<PreparedBatch>;
  dispose(): Promise<void>;
}

export type ExecutorFactory = (dataset: Dataset, config: PrepareConfig) => BatchExecutor | Promise<BatchExecutor>;

/** Runs preparation in the calling thread (overlaps only reads that are themselves asynchronous). */
export const localExecutor: ExecutorFactory = (dataset, config) => ({
  prepare: (request) => prepareBatch(dataset, config, request),
  dispose: async () => {},
});

/**
 * Where a pipeline is in its data stream. All randomness (shuffle order, augmentation, reader
 * patches) comes from a counter-based generator keyed by (seed, epoch, position), so these
 * numbers are the whole RNG state: saving them with a checkpoint and passing them back as
 * `state` resumes mid-epoch with exactly the batches an uninterrupted run would have produced.
 */
export interface PipelineState {
  version: 1;
  seed: number;
  /** Epoch of the next batch. */
  epoch: number;
  /** Examples of that epoch already delivered (a multiple of the batch size). */
  position: number;
  /** Recorded to refuse a resume under a different configuration. */
  batchSize: number;
  examplesPerEpoch: number;
  shuffle: boolean;
}

export interface PipelineOptions {
  batchSize: number;
  /** Seed of shuffling and augmentation (default 0). */
  seed?: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  augment?: AugmentOptions | false;
  /**
   * Normalise with the dataset's mean and std (default: true for classification and
   * segmentation, false for super-resolution, where values are `pixel / 255`).
   */
  normalize?: boolean;
  /** Use only the first `limit` examples. */
  limit?: number;
  /** Drop the last incomplete batch of each epoch (default false). */
  dropRemainder?: boolean;
  /** Batches prepared ahead of the one being consumed (default 2). */
  prefetch?: number;
  /** Resume from a saved {@link PipelineState}. */
  state?: PipelineState;
  executor?: ExecutorFactory;
}

/**
 * One batch: `xs` `[n, H, W, C]` float32; `ys` int32 class ids `[n]` (classification), int32
 * class-id maps `[n, H, W]` (segmentation, ignore index kept) or float32 HR images (super-
 * resolution). The caller owns the tensors (`disposeBatch`). `indices` are the dataset indices.
 */
export interface Batch {
  xs: tf.Tensor4D;
  ys: tf.Tensor;
  indices: Int32Array;
  epoch: number;
}

export function disposeBatch(batch: Pick<Batch, 'xs' | 'ys'>): void {
  tf.dispose([batch.xs, batch.ys]);
}

/** A seeded, resumable stream of batches over a dataset. Create with {@link createPipeline}. */
export class DataPipeline {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly dropRemainder: boolean;
  readonly prefetch: number;
  readonly examplesPerEpoch: number;
  readonly config: PrepareConfig;
  private currentEpoch = 0;
  private currentPosition = 0;
  private iterating = false;
  private cachedOrder: { epoch: number; order: Int32Array } | null = null;
  private executorPromise: Promise<BatchExecutor> | null = null;
  private readonly executorFactory: ExecutorFactory;
  private nextRequestId = 0;
  private disposed = false;

  constructor(dataset: Dataset, options: PipelineOptions) {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new DatasetArgumentError('batchSize', `expected a positive integer, got ${batchSize}`);
    if (dataset.imageShape === null && batchSize !== 1) {
      throw new DatasetArgumentError(
        'batchSize',
        `${dataset.name} images vary in size, so batches must hold 1 example (got ${batchSize}); give the reader a fixed size instead`,
      );
    }
    this.dataset = options.limit === undefined ? dataset : limitDataset(dataset, options.limit);
    if (this.dataset.size === 0)
      throw new DatasetArgumentError('dataset', `${dataset.name} (${dataset.split}) has no examples`);
    this.batchSize = batchSize;
    this.seed = options.seed ?? 0;
    if (!Number.isInteger(this.seed)) throw new DatasetArgumentError('seed', `expected an integer, got ${this.seed}`);
    this.shuffle = options.shuffle ?? true;
    this.dropRemainder = options.dropRemainder ?? false;
    this.prefetch = options.prefetch ?? 2;
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1)
      throw new DatasetArgumentError('prefetch', `expected a positive integer, got ${this.prefetch}`);
    const size = this.dataset.size;
    this.examplesPerEpoch = this.dropRemainder ? size - (size % batchSize) : size;
    if (this.examplesPerEpoch === 0)
      throw new DatasetArgumentError(
        'batchSize',
        `${batchSize} is larger than the ${size} examples and dropRemainder is set`,
      );
    const normalize = options.normalize ?? dataset.task !== 'super-resolution';
    this.config = {
      task: dataset.task,
      augment: resolveAugment(options.augment, dataset),
      normalize: normalize ? { mean: [...dataset.mean], std: [...dataset.std] } : null,
      ignoreIndex: dataset.ignoreIndex ?? 255,
      numClasses: dataset.numClasses,
      name: `${dataset.name} (${dataset.split})`,
    };
    this.executorFactory = options.executor ?? localExecutor;
    if (options.state) this.restore(options.state);
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.examplesPerEpoch / this.batchSize);
  }

  /** Epoch of the next batch. */
  get epoch(): number {
    return this.currentEpoch;
  }

  /** Examples of the current epoch already delivered. */
  get position(): number {
    return this.currentPosition;
  }

  /** The state after the last delivered batch; JSON-serialisable. */
  state(): PipelineState {
    return {
      version: 1,
      seed: this.seed,
      epoch: this.currentEpoch,
      position: this.currentPosition,
      batchSize: this.batchSize,
      examplesPerEpoch: this.examplesPerEpoch,
      shuffle: this.shuffle,
    };
  }

  /** Continues from a saved state (not while an epoch is being iterated). */
  restore(state: PipelineState): void {
    if (this.iterating) throw new DatasetArgumentError('state', 'cannot restore while an epoch is being iterated');
    if (state?.version !== 1)
      throw new DatasetArgumentError('state', `unsupported pipeline state version ${String(state?.version)}`);
    const mismatch = (['seed', 'batchSize', 'examplesPerEpoch', 'shuffle'] as const).filter(
      (k) => state[k] !== this[k],
    );
    if (mismatch.length > 0) {
      throw new DatasetArgumentError(
        'state',
        `saved under a different ${mismatch.map((k) => `${k} (${String(state[k])} vs ${String(this[k])})`).join(', ')}`,
      );
    }
    if (!Number.isInteger(state.epoch) || state.epoch < 0)
      throw new DatasetArgumentError('state', `bad epoch ${state.epoch}`);
    if (
      !Number.isInteger(state.position) ||
      state.position < 0 ||
      state.position >= this.examplesPerEpoch ||
      state.position % this.batchSize !== 0
    ) {
      throw new DatasetArgumentError(
        'state',
        `bad position ${state.position} for ${this.examplesPerEpoch} examples in batches of ${this.batchSize}`,
      );
    }
    this.currentEpoch = state.epoch;
    this.currentPosition = state.position;
  }

  /** Dataset indices of an epoch, in delivery order (covers the whole epoch). */
  epochOrder(epoch: number): Int32Array {
    if (this.cachedOrder?.epoch === epoch) return this.cachedOrder.order;
    const order = this.shuffle
      ? permutation(this.dataset.size, hashWords(this.seed, STREAM.shuffle, epoch))
      : Int32Array.from({ length: this.dataset.size }, (_, i) => i);
    this.cachedOrder = { epoch, order };
    return order;
  }

  private executor(): Promise<BatchExecutor> {
    this.executorPromise ??= Promise.resolve(this.executorFactory(this.dataset, this.config));
    return this.executorPromise;
  }

  private request(epoch: number, start: number, order: Int32Array): BatchRequest {
    const end = Math.min(start + this.batchSize, this.examplesPerEpoch);
    const indices = order.slice(start, end);
    const augmentSeeds = new Uint32Array(indices.length);
    const readSeeds = new Uint32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      augmentSeeds[i] = hashWords(this.seed, STREAM.augment, epoch, start + i);
      readSeeds[i] = hashWords(this.seed, STREAM.read, epoch, start + i);
    }
    return { id: this.nextRequestId++, indices, augmentSeeds, readSeeds };
  }

  /**
   * The remaining batches of the current epoch; when the last one is delivered the pipeline moves
   * to the next epoch, so calling this again continues with it. `state()` taken inside the loop
   * body describes the position after the batch just received.
   */
  async *epochBatches(): AsyncGenerator<Batch, void, undefined> {
    if (this.disposed) throw new DatasetArgumentError('pipeline', 'is disposed');
    if (this.iterating) throw new DatasetArgumentError('pipeline', 'an epoch is already being iterated');
    this.iterating = true;
    const epoch = this.currentEpoch;
    const order = this.epochOrder(epoch);
    const pending: Array<{ start: number; count: number; promise: Promise<PreparedBatch> }> = [];
    try {
      const executor = await this.executor();
      let next = this.currentPosition;
      for (;;) {
        while (pending.length < this.prefetch && next < this.examplesPerEpoch) {
          const request = this.request(epoch, next, order);
          const promise = executor.prepare(request);
          promise.catch(() => {}); // awaited below; this only silences an abandoned prefetch
          pending.push({ start: next, count: request.indices.length, promise });
          next += request.indices.length;
        }
        const head = pending.shift();
        if (!head) break;
        const prepared = await head.promise;
        const batch = toBatch(prepared, this.config, epoch);
        this.currentPosition = head.start + head.count;
        if (this.currentPosition >= this.examplesPerEpoch) {
          this.currentEpoch = epoch + 1;
          this.currentPosition = 0;
        }
        yield batch;
      }
    } finally {
      this.iterating = false;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Batch, void, undefined> {
    return this.epochBatches();
  }

  /** Stops any worker; the pipeline cannot be used afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const executor = this.executorPromise;
    this.executorPromise = null;
    if (executor) await (await executor).dispose();
  }
}

function toBatch(prepared: PreparedBatch, config: PrepareConfig, epoch: number): Batch {
  const xs = tf.tensor4d(prepared.x, prepared.xShape, 'float32');
  const ys =
    config.task === 'super-resolution'
      ? tf.tensor(prepared.y, prepared.yShape, 'float32')
      : tf.tensor(prepared.y, prepared.yShape, 'int32');
  return { xs, ys, indices: prepared.indices, epoch };
}

/** A seeded, resumable batch stream over `dataset`; see {@link PipelineOptions}. */
export function createPipeline(dataset: Dataset, options: PipelineOptions): DataPipeline {
  return new DataPipeline(dataset, options);
}
