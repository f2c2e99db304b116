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
  /** Frees everything `alloc` handed out. */
  reset(): void;
  /** Bytes on the shared memory (16-byte aligned), growing it if needed; returns the offset. */
  alloc(bytes: number): number;
  /**
   * Runs `kernel(...args(i), begin, end)` on thread i (thread 0 is the caller), with [0, count)
   * split into contiguous ranges of whole `grain`s; returns when every thread has finished.
   */
  split(kernel: ThreadedKernel, count: number, grain: number, args: (thread: number) => number[]): void;
}

/** The kernels a pool can split: each takes its range [begin, end) as its last two arguments. */
export const THREADED_KERNELS = ['conv2d_forward', 'winograd_conv', 'pointwise_mlp'] as const;
export type ThreadedKernel = (typeof THREADED_KERNELS)[number];

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
