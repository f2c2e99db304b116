import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  DatasetArgumentError,
  DatasetFormatError,
  DatasetNotFoundError,
  InMemoryDataset,
  resolveSubset,
  type BatchExecutor,
  type Dataset,
  type ExecutorFactory,
  type PreparedBatch,
} from '@wavemix/datasets';
import type { WorkerInit, WorkerReply, WorkerSource } from './worker_protocol';

export interface WorkerExecutorOptions {
  /** Worker threads (default 1: the machine this targets has 2 cores, one is training). */
  workers?: number;
  /** Path of the built `batch_worker` script (found next to this module by default). */
  workerScript?: string;
}

/** The built worker script next to this module (the ESM or CJS build, whichever exists). */
export function defaultWorkerScript(): string {
  const candidates = [__dirname, join(__dirname, 'node'), join(__dirname, '..', 'node')].flatMap((dir) => [
    join(dir, 'batch_worker.js'),
    join(dir, 'batch_worker.cjs'),
  ]);
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new DatasetArgumentError(
      'workerScript',
      `batch_worker script not found (looked for ${candidates.join(', ')}); pass workerScript`,
    );
  return found;
}

const shared = new WeakMap<InMemoryDataset, WorkerSource>();

function toShared<T extends Uint8Array | Int32Array>(array: T): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(array.byteLength);
  new Uint8Array(buffer).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return buffer;
}

function sourceOf(root: Dataset): WorkerSource {
  if (root instanceof InMemoryDataset) {
    let source = shared.get(root);
    if (!source) {
      const info = {
        name: root.name,
        split: root.split,
        task: root.task,
        imageShape: root.imageShape,
        targetShape: root.targetShape,
        numClasses: root.numClasses,
        classNames: root.classNames,
        mean: root.mean,
        std: root.std,
        ...(root.ignoreIndex === undefined ? {} : { ignoreIndex: root.ignoreIndex }),
        ...(root.scale === undefined ? {} : { scale: root.scale }),
      };
      source = {
        kind: 'memory',
        info,
        images: toShared(root.images),
        ...(root.labels ? { labels: toShared(root.labels) } : {}),
        ...(root.targets ? { targets: toShared(root.targets) } : {}),
      };
      shared.set(root, source);
    }
    return source;
  }
  if (root.loadSpec) return { kind: 'load', spec: root.loadSpec };
  throw new DatasetArgumentError(
    'dataset',
    `${root.name} cannot be opened in a worker: it is neither in memory nor made by loadDataset`,
  );
}

function rebuildError(reply: Extract<WorkerReply, { type: 'error' }>): Error {
  // biome-ignore lint/suspicious/noExplicitAny: the fields of whichever error class the worker serialised
  const f = reply.fields as Record<string, any>;
  let error: Error;
  if (reply.name === 'DatasetFormatError') error = new DatasetFormatError(f.file, f.offset, f.expected, f.found);
  else if (reply.name === 'DatasetNotFoundError') error = new DatasetNotFoundError(f.dataset, f.paths);
  else if (reply.name === 'WaveMixArgumentError')
    error = new DatasetArgumentError(f.argument, reply.message.replace(`${f.argument}: `, ''));
  else {
    error = new Error(reply.message);
    error.name = reply.name;
  }
  return error;
}

/**
 * Runs batch preparation (reading, augmentation, normalisation) in worker threads, so it
 * overlaps the training step: `createPipeline(dataset, { ..., executor: workerExecutor() })`.
 * In-memory datasets are shared with the workers (SharedArrayBuffer, copied once); others are
 * re-opened in each worker from their `loadSpec`. Batches are identical to the in-thread ones.
 */
export function workerExecutor(options: WorkerExecutorOptions = {}): ExecutorFactory {
  return (dataset, config): BatchExecutor => {
    const { root } = resolveSubset(dataset, []);
    const source = sourceOf(root);
    const script = options.workerScript ?? defaultWorkerScript();
    const count = options.workers ?? 1;
    const pending = new Map<number, { resolve(p: PreparedBatch): void; reject(e: Error): void }>();
    const workers = Array.from({ length: count }, () => {
      const worker = new Worker(script);
      worker.on('message', (reply: WorkerReply) => {
        const entry = pending.get(reply.id);
        if (!entry) return;
        pending.delete(reply.id);
        if (reply.type === 'result') entry.resolve(reply.prepared);
        else entry.reject(rebuildError(reply));
        if (pending.size === 0) for (const w of workers) w.unref();
      });
      const fail = (error: Error) => {
        for (const [id, entry] of pending) {
          entry.reject(error);
          pending.delete(id);
        }
      };
      worker.on('error', fail);
      worker.on('exit', (code) => code !== 0 && fail(new Error(`batch worker exited with code ${code}`)));
      const init: WorkerInit = { type: 'init', source, config };
      worker.postMessage(init);
      worker.unref();
      return worker;
    });
    let next = 0;
    return {
      prepare(request) {
        const mapped = { ...request, indices: resolveSubset(dataset, request.indices).indices };
        return new Promise<PreparedBatch>((resolve, reject) => {
          pending.set(request.id, {
            resolve: (prepared) => resolve({ ...prepared, indices: request.indices }),
            reject,
          });
          const worker = workers[next++ % workers.length]!;
          worker.ref();
          worker.postMessage({ type: 'prepare', request: mapped });
        });
      },
      async dispose() {
        await Promise.all(workers.map((w) => w.terminate()));
      },
    };
  };
}
