/**
 * Data parallelism for tfjs-layers models in Node: the batch is split between the main thread and
 * worker threads, each with its own wasm backend (tfjs-wasm is single-threaded in Node, so this is
 * how a training step uses more than one core). Workers hold replicas of the model; the main
 * thread's model stays the source of truth: before each step the weights that changed are sent
 * to the workers, and the returned gradients are the exact batch gradients (shard gradients
 * weighted by shard size), ready for any optimizer's `applyGradients`.
 *
 * Semantics as PyTorch DistributedDataParallel without SyncBatchNorm: batch-norm statistics are
 * computed per shard, and the main thread's moving averages (from its shard) are the model's.
 */
import * as tf from '@tensorflow/tfjs';
import { leanVariableGrads, WaveMixError } from '@wavemix/core';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  computeLoss,
  countCorrect,
  IGNORE_INDEX_LOSSES,
  LOSSES,
  lossWeight,
  type LossName,
} from '@wavemix/models/training';
import type { TensorPayload, WeightUpdate, WorkerReply, WorkerRequest } from './protocol';

// The losses live with the other training primitives; re-exported for existing imports.
export { computeLoss, countCorrect, LOSSES, type LossName } from '@wavemix/models/training';

export interface DataParallelOptions {
  /** Worker threads besides the main thread (default: available cores - 1). 0 runs everything on the main thread. */
  workers?: number;
  /** Loss the replicas compute (default `softmaxCrossEntropy`). */
  loss?: LossName;
  /**
   * `sparseSoftmaxCrossEntropy` only: targets with this class id are skipped (segmentation's
   * void label); shards are then weighted by their labelled targets, not their size.
   */
  ignoreIndex?: number;
  /** Backend of the workers (default `wasm`, with the WaveMix training kernels). */
  backend?: 'wasm' | 'cpu';
  /**
   * Modules each worker imports before building the model, to register its custom layer classes
   * (default `['@wavemix/layers']`, the WaveMix layers; add your own modules for other layers).
   */
  imports?: string[];
  /** Path of the built worker script (default: worker.js beside this module). */
  workerScript?: string;
}

export class DataParallelError extends WaveMixError {
  constructor(message: string) {
    super(message);
    this.name = 'DataParallelError';
  }
}

export function defaultWorkerScript(): string {
  const candidates = [join(__dirname, 'worker.js'), join(__dirname, 'worker.cjs')];
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new DataParallelError(`worker script not found (looked for ${candidates.join(', ')}); pass workerScript`);
  return found;
}

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

class Replica {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ready: Promise<string>;
  /** dataId of each weight as last sent: a variable gets a new dataId whenever it is assigned. */
  sent: unknown[] = [];

  constructor(
    readonly worker: Worker,
    init: WorkerRequest,
  ) {
    this.ready = new Promise<string>((resolve, reject) => {
      this.pending.set(0, { resolve: (r) => resolve((r as { backend: string }).backend), reject });
    });
    worker.on('message', (reply: WorkerReply) => {
      const id = reply.type === 'ready' ? 0 : reply.type === 'error' ? (reply.id ?? 0) : reply.id;
      const waiter = this.pending.get(id);
      if (!waiter) return;
      this.pending.delete(id);
      if (reply.type === 'error') {
        const error = new DataParallelError(`worker: ${reply.name}: ${reply.message}`);
        if (reply.stack) error.stack = `${error.stack}\nworker stack:\n${reply.stack}`;
        waiter.reject(error);
      } else {
        waiter.resolve(reply);
      }
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => this.failAll(new DataParallelError(`worker exited with code ${code}`)));
    worker.postMessage(init);
  }

  whenReady(): Promise<string> {
    return this.ready;
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  request(message: Omit<Extract<WorkerRequest, { id: number }>, 'id'>, transfer: ArrayBuffer[]): Promise<WorkerReply> {
    const id = this.nextId++;
    const promise = new Promise<WorkerReply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ ...message, id }, transfer);
    return promise;
  }
}

function payload(t: tf.Tensor): TensorPayload {
  // sync-read: DataParallel runs on the wasm/cpu backends only (options.backend), where reads are synchronous copies.
  return { data: t.dataSync() as TensorPayload['data'], shape: [...t.shape], dtype: t.dtype };
}

/** Runs the main thread's share; if it throws, waits for the workers' shares before rethrowing. */
async function settle<T>(requests: Promise<unknown>[], run: () => T): Promise<T> {
  try {
    return run();
  } catch (error) {
    await Promise.allSettled(requests);
    throw error;
  }
}

/** Splits `n` into `parts` sizes that differ by at most one (larger first). */
export function shardSizes(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

export class DataParallel {
  private constructor(
    readonly model: tf.LayersModel,
    readonly loss: LossName,
    readonly ignoreIndex: number | undefined,
    private readonly replicas: Replica[],
  ) {}

  /** Starts the workers and builds a replica of `model` in each. */
  static async create(model: tf.LayersModel, options: DataParallelOptions = {}): Promise<DataParallel> {
    const loss = options.loss ?? 'softmaxCrossEntropy';
    if (!LOSSES.includes(loss))
      throw new DataParallelError(`loss must be one of ${LOSSES.join(', ')}, got ${String(loss)}`);
    const { ignoreIndex } = options;
    if (ignoreIndex !== undefined && (!IGNORE_INDEX_LOSSES.includes(loss) || !Number.isInteger(ignoreIndex))) {
      throw new DataParallelError(
        `ignoreIndex needs one of ${IGNORE_INDEX_LOSSES.join(', ')} and an integer class id, got ${ignoreIndex} with ${loss}`,
      );
    }
    const count = options.workers ?? Math.max(0, availableParallelism() - 1);
    if (!Number.isInteger(count) || count < 0)
      throw new DataParallelError(`workers must be a non-negative integer, got ${count}`);
    const script = count > 0 ? (options.workerScript ?? defaultWorkerScript()) : '';
    const init: WorkerRequest = {
      type: 'init',
      topology: model.toJSON(null, false),
      backend: options.backend ?? 'wasm',
      imports: options.imports ?? ['@wavemix/layers'],
      loss,
      lossOptions: ignoreIndex === undefined ? {} : { ignoreIndex },
    };
    const replicas = Array.from({ length: count }, () => new Replica(new Worker(script), init));
    const parallel = new DataParallel(model, loss, ignoreIndex, replicas);
    try {
      await Promise.all(replicas.map((r) => r.whenReady()));
    } catch (error) {
      await parallel.dispose();
      throw error;
    }
    return parallel;
  }

  /** Number of threads that compute (the main thread and the workers). */
  get threads(): number {
    return this.replicas.length + 1;
  }

  private weightUpdates(replica: Replica): { updates: WeightUpdate[]; transfer: ArrayBuffer[] } {
    const updates: WeightUpdate[] = [];
    const transfer: ArrayBuffer[] = [];
    this.model.weights.forEach((w, index) => {
      const dataId = (w.read() as unknown as { dataId: unknown }).dataId;
      if (replica.sent[index] === dataId) return;
      replica.sent[index] = dataId;
      // sync-read: wasm/cpu only, as above.
      const data = (w.read().dataSync() as Float32Array).slice();
      updates.push({ index, data });
      transfer.push(data.buffer as ArrayBuffer);
    });
    return { updates, transfer };
  }

  private get lossOptions(): { ignoreIndex?: number } {
    return this.ignoreIndex === undefined ? {} : { ignoreIndex: this.ignoreIndex };
  }

  /**
   * What each shard's mean loss is over (`lossWeight`): the shard sizes, or with an ignore index
   * the labelled targets per shard.
   */
  private async shardWeights(y: tf.Tensor, sizes: number[]): Promise<number[]> {
    const weights: number[] = [];
    let offset = 0;
    for (const size of sizes) {
      const shard = y.slice(offset, size);
      offset += size;
      try {
        weights.push(await lossWeight(this.loss, shard, this.lossOptions));
      } finally {
        shard.dispose();
      }
    }
    return weights;
  }

  /**
   * Loss and gradients of the mean loss over the batch, as `tf.variableGrads` returns them for the
   * model's trainable weights (keyed by variable name); the caller disposes both. `correct`: for
   * the classification losses, how many argmax predictions over the batch matched (null otherwise),
   * out of `count` (the examples, or with an ignore index the labelled targets).
   */
  async valueAndGrads(
    x: tf.Tensor,
    y: tf.Tensor,
  ): Promise<{ value: tf.Scalar; grads: tf.NamedTensorMap; correct: number | null; count: number }> {
    const batch = x.shape[0]!;
    if (y.shape[0] !== batch) throw new DataParallelError(`x and y batch sizes differ: ${batch} vs ${y.shape[0]}`);
    const sizes = shardSizes(batch, Math.min(this.threads, batch));
    const trainable = this.model.trainableWeights;
    let offset = sizes[0]!;
    const requests = sizes.slice(1).map((size, i) => {
      const replica = this.replicas[i]!;
      const [xs, ys] = tf.tidy(() => [x.slice(offset, size), y.slice(offset, size)]);
      offset += size;
      const { updates, transfer } = this.weightUpdates(replica);
      const seed = Math.floor(Math.random() * 4294967296);
      const message = { type: 'grads' as const, seed, weights: updates, x: payload(xs!), y: payload(ys!) };
      tf.dispose([xs!, ys!]);
      return replica.request(message, transfer);
    });
    let mineCorrect: tf.Scalar | null = null;
    const mine = await settle(requests, () =>
      tf.tidy(() => {
        const xs = x.slice(0, sizes[0]!);
        const ys = y.slice(0, sizes[0]!);
        return leanVariableGrads(() => {
          const output = this.model.apply(xs, { training: true }) as tf.Tensor;
          const count = countCorrect(this.loss, output, ys, this.lossOptions);
          mineCorrect = count ? tf.keep(count) : null;
          return computeLoss(this.loss, output, ys, this.lossOptions);
        });
      }),
    );
    let correctMine: number | null = null;
    let replies: WorkerReply[];
    let weights: number[];
    try {
      correctMine = mineCorrect ? (await (mineCorrect as tf.Scalar).data())[0]! : null;
      weights = await this.shardWeights(y, sizes);
      replies = await Promise.all(requests);
    } catch (error) {
      tf.dispose([mine.value, mine.grads]);
      await Promise.allSettled(requests);
      throw error;
    } finally {
      tf.dispose(mineCorrect ?? []);
    }
    const total = weights.reduce((a, b) => a + b, 0);
    let correct = correctMine;
    for (const reply of replies) {
      const c = (reply as Extract<WorkerReply, { type: 'grads' }>).correct;
      correct = correct == null || c == null ? null : correct + c;
    }
    const combined = tf.tidy(() => {
      // Shard means weighted by what they average over give the batch mean (0 when nothing is labelled).
      const share = (i: number) => weights[i]! / Math.max(1, total);
      let value = tf.mul(mine.value, share(0));
      const grads: tf.NamedTensorMap = {};
      for (const w of trainable) grads[w.name] = tf.mul(mine.grads[w.name]!, share(0));
      replies.forEach((reply, i) => {
        const r = reply as Extract<WorkerReply, { type: 'grads' }>;
        value = tf.add(value, r.loss * share(i + 1));
        trainable.forEach((w, j) => {
          grads[w.name] = tf.add(grads[w.name]!, tf.mul(tf.tensor(r.grads[j]!, w.shape as number[]), share(i + 1)));
        });
      });
      tf.dispose([mine.value, mine.grads]);
      return { value: value as tf.Scalar, grads };
    });
    return { ...combined, correct, count: total };
  }

  /** `model.apply(x, {training: false})` with the batch split across the threads. */
  async predict(x: tf.Tensor): Promise<tf.Tensor> {
    const batch = x.shape[0]!;
    const sizes = shardSizes(batch, Math.min(this.threads, batch));
    let offset = sizes[0]!;
    const requests = sizes.slice(1).map((size, i) => {
      const replica = this.replicas[i]!;
      const xs = x.slice(offset, size);
      offset += size;
      const { updates, transfer } = this.weightUpdates(replica);
      const message = { type: 'predict' as const, weights: updates, x: payload(xs) };
      xs.dispose();
      return replica.request(message, transfer);
    });
    const mine = await settle(requests, () =>
      tf.tidy(() => this.model.apply(x.slice(0, sizes[0]!), { training: false }) as tf.Tensor),
    );
    const replies = await Promise.all(requests).catch((error) => {
      mine.dispose();
      throw error;
    });
    return tf.tidy(() => {
      const parts = [
        mine,
        ...replies.map((r) => {
          const { y } = r as Extract<WorkerReply, { type: 'predict' }>;
          return tf.tensor(y.data, y.shape, y.dtype);
        }),
      ];
      const out = parts.length === 1 ? tf.clone(mine) : tf.concat(parts, 0);
      mine.dispose();
      return out;
    });
  }

  async dispose(): Promise<void> {
    await Promise.all(
      this.replicas.map(async (r) => {
        r.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
        await r.worker.terminate();
      }),
    );
    this.replicas.length = 0;
  }
}

export {
  DEFAULT_KERNEL_THREAD_SPIN_MS,
  defaultKernelThreads,
  enableKernelThreads,
  KernelThreadError,
  type KernelThreads,
  type KernelThreadsOptions,
  MAX_DEFAULT_KERNEL_THREADS,
} from './kernel_threads';
