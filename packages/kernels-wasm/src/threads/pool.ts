import type { TrainKernelExports } from '../train/module';
import { decodeModule } from '../train/module';
import { wasmSimdVariant } from '../train/simd_variant';
import {
  TRAIN_KERNELS_RELAXED_SHARED_WASM_BASE64,
  TRAIN_KERNELS_SHARED_WASM_BASE64,
} from '../train/train_kernels_wasm';

/**
 * Threads for single large kernels (a batch-1 inference has no batch to split across
 * data-parallel replicas). tfjs-wasm keeps tensors in a memory no other thread can see, so a
 * threaded kernel copies its inputs into a shared WebAssembly.Memory, every thread runs our
 * kernel module (instantiated on that memory) on its share of the output, and the result is
 * copied back. A pool is platform-specific (Node worker_threads: @wavemix/parallel's
 * `enableKernelThreads`); this package only uses one when set.
 */
export interface KernelThreadPool {
  readonly threads: number;
  /** The shared memory and the main thread's instance of the shared-memory kernel module. */
  readonly memory: WebAssembly.Memory;
  readonly kernels: TrainKernelExports;
  /**
   * Frees what `alloc` handed out at or above byte `from` (default: everything); what lies below
   * stays (the shared filter cache keeps packed filters there across calls).
   */
  reset(from?: number): void;
  /** Bytes on the shared memory (16-byte aligned), growing it if needed; returns the offset. */
  alloc(bytes: number): number;
  /**
   * Runs the jobs split across the threads (thread 0 is the caller) and returns when every thread
   * has finished: the jobs' work, [0, count) of each in whole `grain`s, is dealt out in
   * contiguous shares, and thread i runs `kernel(...args(i), begin, end)` for each range of a job
   * in its share. One start and one join for all of them (a ConvTranspose's phases are one split).
   */
  split(jobs: readonly ThreadedJob[]): void;
}

/** The kernels a pool can split: each takes its range [begin, end) as its last two arguments. */
export const THREADED_KERNELS = ['conv2d_forward', 'winograd_conv', 'pointwise_mlp'] as const;
export type ThreadedKernel = (typeof THREADED_KERNELS)[number];

/** One kernel call over [0, count), to be split in whole `grain`s; `args(thread)` without the range. */
export interface ThreadedJob {
  kernel: ThreadedKernel;
  count: number;
  grain: number;
  args: (thread: number) => number[];
}

/**
 * Each thread's calls: the jobs' grains dealt out in `threads` contiguous shares (thread 0 first),
 * as [job index, begin, end] ranges.
 */
export function shareJobs(jobs: readonly ThreadedJob[], threads: number): Array<Array<[number, number, number]>> {
  const grains = jobs.map((job) => Math.ceil(job.count / job.grain));
  const total = grains.reduce((a, b) => a + b, 0);
  return Array.from({ length: threads }, (_, t) => {
    const [from, to] = [Math.floor((total * t) / threads), Math.floor((total * (t + 1)) / threads)];
    const calls: Array<[number, number, number]> = [];
    let first = 0;
    jobs.forEach((job, j) => {
      const [a, b] = [Math.max(from, first), Math.min(to, first + grains[j]!)];
      if (a < b) calls.push([j, (a - first) * job.grain, Math.min(job.count, (b - first) * job.grain)]);
      first += grains[j]!;
    });
    return calls;
  });
}

let pool: KernelThreadPool | null = null;

/** Makes the convolutions use `threadPool` when large enough (null: back to one thread). */
export function setKernelThreadPool(threadPool: KernelThreadPool | null): void {
  pool = threadPool;
}

export function getKernelThreadPool(): KernelThreadPool | null {
  return pool;
}

/** Bytes of the shared-memory build of csrc/train_kernels.c (imports a shared env.memory), in the variant in use. */
export function sharedKernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return decodeModule(
    wasmSimdVariant() === 'relaxed-simd' ? TRAIN_KERNELS_RELAXED_SHARED_WASM_BASE64 : TRAIN_KERNELS_SHARED_WASM_BASE64,
  );
}
