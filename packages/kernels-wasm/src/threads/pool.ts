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
   * Runs `conv2d_forward(...args, begin, end)` with [0, pixels) split across the threads; `scratch`
   * gives each thread its own indirection area (offset per thread, as conv2d_forward's ind and
   * zero arguments are args[4] and args[5]).
   */
  convForward(args: number[], pixels: number, scratch: ReadonlyArray<{ ind: number; zero: number }>): void;
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
