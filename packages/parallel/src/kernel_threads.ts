/**
 * Intra-operation threads for the WaveMix wasm kernels in Node: one large convolution is split
 * across threads that share a WebAssembly.Memory (see @wavemix/kernels-wasm `KernelThreadPool`).
 * This is how a batch-1 inference uses more than one core; batched training and inference scale
 * better with `DataParallel`. Do not combine the two (each replica would start its own threads).
 */
import { availableParallelism } from 'node:os';
import { WaveMixError } from '@wavemix/core';
import { Worker } from 'node:worker_threads';
import {
  getKernelThreadPool,
  type KernelThreadPool,
  setKernelThreadPool,
  sharedKernelModuleBytes,
  shareJobs,
  THREADED_KERNELS,
  type ThreadedJob,
  type TrainKernelExports,
} from '@wavemix/kernels-wasm';

const PAGE = 65536;
/**
 * Slots of a control block: [state, call count, then per call: kernel index, argument count,
 * arguments..., and last the error flag].
 */
const CONTROL_SLOTS = 512;
const IDLE = 0;
const RUN = 1;
const EXIT = 2;
const ERROR_SLOT = CONTROL_SLOTS - 1;
/**
 * At most this many kernel threads by default: a batch-1 layer splits into small shares, and
 * beyond 4 the starts, joins and spinning cost more than they save (W3 on a 16-core Xeon with
 * 1/2/4/8/16 threads: 599/387/317/432/541 ms).
 */
export const MAX_DEFAULT_KERNEL_THREADS = 4;

/** The default thread count: all cores, at most MAX_DEFAULT_KERNEL_THREADS. */
export const defaultKernelThreads = (): number => Math.min(availableParallelism(), MAX_DEFAULT_KERNEL_THREADS);

/** How long an idle thread spins before it parks, by default (see KernelThreadsOptions.spinMs). */
export const DEFAULT_KERNEL_THREAD_SPIN_MS = 20;
/** The worker: waits on its control block, runs the kernel it is given on its range. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, kernelNames, settings } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const kernels = kernelNames.map((name) => exports[name]);
const ctl = new Int32Array(control);
const spinMs = new Int32Array(settings);
for (;;) {
  // Spin before parking: waking a parked thread can cost more than a layer (measured in a VM).
  const deadline = performance.now() + Atomics.load(spinMs, 0);
  while (Atomics.load(ctl, 0) === ${IDLE} && performance.now() < deadline);
  Atomics.wait(ctl, 0, ${IDLE});
  const state = Atomics.load(ctl, 0);
  if (state === ${EXIT}) break;
  if (state !== ${RUN}) continue;
  try {
    for (let call = 0, at = 2; call < ctl[1]; call++, at += 2 + ctl[at + 1]) {
      kernels[ctl[at]](...Array.from(ctl.subarray(at + 2, at + 2 + ctl[at + 1])));
    }
    ctl[${ERROR_SLOT}] = 0;
  } catch (error) {
    ctl[${ERROR_SLOT}] = 1;
  }
  Atomics.store(ctl, 0, ${IDLE});
  Atomics.notify(ctl, 0);
}
`;

export class KernelThreadError extends WaveMixError {
  constructor(message: string) {
    super(message);
    this.name = 'KernelThreadError';
  }
}

class NodeKernelThreadPool implements KernelThreadPool {
  readonly memory: WebAssembly.Memory;
  readonly kernels: TrainKernelExports;
  private readonly workers: Worker[] = [];
  private readonly controls: Int32Array[] = [];
  /** The first byte alloc may hand out (below: nothing; the control blocks are their own buffers). */
  private static readonly BASE = 1024;
  private top = NodeKernelThreadPool.BASE;

  /** [spin ms]: shared with the workers, so it can change while they run. */
  private readonly settings = new Int32Array(new SharedArrayBuffer(4));

  get spinMs(): number {
    return Atomics.load(this.settings, 0);
  }

  set spinMs(ms: number) {
    Atomics.store(this.settings, 0, ms);
  }

  constructor(
    readonly threads: number,
    spinMs: number,
  ) {
    this.spinMs = spinMs;
    const settings = this.settings.buffer;
    const module = new WebAssembly.Module(sharedKernelModuleBytes());
    this.memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    this.kernels = new WebAssembly.Instance(module, { env: { memory: this.memory } })
      .exports as unknown as TrainKernelExports;
    for (let i = 1; i < threads; i++) {
      const control = new SharedArrayBuffer(CONTROL_SLOTS * 4);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory: this.memory, control, kernelNames: [...THREADED_KERNELS], settings },
      });
      worker.unref();
      this.workers.push(worker);
      this.controls.push(new Int32Array(control));
    }
  }

  reset(from = 0): void {
    this.top = Math.max(NodeKernelThreadPool.BASE, Math.ceil(from / 16) * 16);
  }

  alloc(bytes: number): number {
    const offset = this.top;
    this.top = offset + Math.ceil(bytes / 16) * 16;
    const missing = this.top - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE));
    return offset;
  }

  split(jobs: readonly ThreadedJob[]): void {
    if (jobs.length === 0) return;
    const shares = shareJobs(jobs, this.threads);
    const callArgs = (thread: number, [j, begin, end]: [number, number, number]) => [
      ...jobs[j]!.args(thread),
      begin,
      end,
    ];
    // Each worker's calls as its control block holds them: kernel index, argument count, arguments.
    const encoded = this.controls.map((_, w) =>
      shares[w + 1]!.flatMap((call) => {
        const a = callArgs(w + 1, call);
        return [THREADED_KERNELS.indexOf(jobs[call[0]]!.kernel), a.length, ...a];
      }),
    );
    if (encoded.some((slots) => 2 + slots.length >= ERROR_SLOT)) {
      // More calls than a control block holds (a convolution with many phases): in two rounds.
      if (jobs.length === 1)
        throw new KernelThreadError(`a kernel call needs more than ${ERROR_SLOT - 2} control slots`);
      const half = Math.ceil(jobs.length / 2);
      this.split(jobs.slice(0, half));
      this.split(jobs.slice(half));
      return;
    }
    this.controls.forEach((ctl, w) => {
      ctl.set(encoded[w]!, 2);
      ctl[1] = shares[w + 1]!.length;
      Atomics.store(ctl, 0, RUN);
      Atomics.notify(ctl, 0);
    });
    for (const call of shares[0]!) {
      (this.kernels[jobs[call[0]]!.kernel] as (...a: number[]) => void)(...callArgs(0, call));
    }
    // The caller spins too: the workers usually finish within a spin of it.
    const deadline = performance.now() + this.spinMs;
    for (const ctl of this.controls) {
      while (Atomics.load(ctl, 0) === RUN && performance.now() < deadline);
      while (Atomics.load(ctl, 0) === RUN) Atomics.wait(ctl, 0, RUN);
      if (ctl[ERROR_SLOT] !== 0) throw new KernelThreadError('a kernel thread failed');
    }
  }

  async dispose(): Promise<void> {
    for (const ctl of this.controls) {
      Atomics.store(ctl, 0, EXIT);
      Atomics.notify(ctl, 0);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export interface KernelThreadsOptions {
  /** Threads, the caller's included (default defaultKernelThreads(): all cores, at most 4). */
  threads?: number;
  /**
   * Milliseconds an idle thread spins before it parks (Atomics.wait), and the caller spins for
   * the others to finish (default DEFAULT_KERNEL_THREAD_SPIN_MS). A parked thread's wake-up can
   * cost more than a layer in a virtual machine; between the threaded layers of a step the gap is
   * a few ms, so a spin keeps the threads awake for the whole step. 0: park at once (no busy CPU
   * between requests).
   */
  spinMs?: number;
}

export interface KernelThreads {
  readonly threads: number;
  /** The idle threads' spin before parking (KernelThreadsOptions.spinMs); settable while they run. */
  spinMs: number;
  /** Stops the threads; the kernels go back to one thread. */
  dispose(): Promise<void>;
}

const checkSpin = (ms: number) => {
  if (!Number.isInteger(ms) || ms < 0 || ms > 10_000)
    throw new KernelThreadError(`spinMs must be an integer from 0 to 10000, got ${ms}`);
  return ms;
};

/**
 * Splits each large WaveMix wasm convolution across `threads` threads (default: all cores, at
 * most 4) of this process, until `dispose`. Node only (shared memory and Atomics.wait on the main
 * thread).
 */
export function enableKernelThreads(options: KernelThreadsOptions = {}): KernelThreads {
  const threads = options.threads ?? defaultKernelThreads();
  if (!Number.isInteger(threads) || threads < 1)
    throw new KernelThreadError(`threads must be a positive integer, got ${threads}`);
  const spinMs = checkSpin(options.spinMs ?? DEFAULT_KERNEL_THREAD_SPIN_MS);
  if (getKernelThreadPool() != null)
    throw new KernelThreadError('kernel threads are already enabled; dispose them first');
  const pool = new NodeKernelThreadPool(threads, spinMs);
  setKernelThreadPool(pool);
  return {
    threads,
    get spinMs() {
      return pool.spinMs;
    },
    set spinMs(ms: number) {
      pool.spinMs = checkSpin(ms);
    },
    dispose: async () => {
      if (getKernelThreadPool() === pool) setKernelThreadPool(null);
      await pool.dispose();
    },
  };
}
