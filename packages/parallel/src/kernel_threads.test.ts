import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  getKernelThreadPool,
  MIN_THREADED_MACS,
  setSharedFilterCache,
  sharedFilterCache,
  useWasmTraining,
} from '@wavemix/kernels-wasm';
import { availableParallelism } from 'node:os';
import {
  DEFAULT_KERNEL_THREAD_SPIN_MS,
  defaultKernelThreads,
  enableKernelThreads,
  MAX_DEFAULT_KERNEL_THREADS,
} from './kernel_threads';

/** The same convolutions with and without two kernel threads (shapes above the threading threshold). */
beforeAll(async () => {
  await useWasmTraining();
});

function cases() {
  const x = tf.randomUniform([1, 40, 36, 32], -1, 1, 'float32', 1) as tf.Tensor4D;
  const w3 = tf.randomUniform([3, 3, 32, 48], -1, 1, 'float32', 2) as tf.Tensor4D;
  // ConvTranspose(4, 2, 1) 32 -> 48: four Winograd F(2x2, 2x2) phases, each above the threshold.
  const wt = tf.randomUniform([4, 4, 48, 32], -1, 1, 'float32', 3) as tf.Tensor4D;
  const bias = tf.randomUniform([48], -1, 1, 'float32', 4);
  return [
    tf.conv2d(x, w3, 1, 'same'),
    tf.fused.conv2d({ x, filter: w3, bias, strides: 2, pad: 'valid' }),
    tf.conv2dTranspose(x, wt, [1, 80, 72, 48], 2, 'same'),
    // Its input gradient, a 4x4 stride-2 Conv2D: one Winograd call over four input phases.
    tf.conv2d(tf.randomUniform([1, 80, 72, 48], -1, 1, 'float32', 7) as tf.Tensor4D, wt, 2, 'same'),
    // Stride 6: 36 one-tap phases of 9.8 M multiply-adds each, more calls than a control block
    // holds, so the pool runs them in rounds.
    tf.conv2dTranspose(
      tf.randomUniform([1, 40, 40, 64], -1, 1, 'float32', 5) as tf.Tensor4D,
      tf.randomUniform([6, 6, 96, 64], -1, 1, 'float32', 6) as tf.Tensor4D,
      [1, 240, 240, 96],
      6,
      'valid',
    ),
  ];
}

test('threaded convolutions equal single-thread ones', async () => {
  expect(1 * 40 * 36 * 48 * 9 * 32).toBeGreaterThan(MIN_THREADED_MACS);
  expect(1 * 40 * 36 * 48 * 4 * 32).toBeGreaterThan(MIN_THREADED_MACS);
  expect(1 * 40 * 36 * 32 * 16 * 48).toBeGreaterThan(MIN_THREADED_MACS);
  const single = await Promise.all(
    tf.tidy(cases).map(async (t) => {
      const v = await t.data();
      t.dispose();
      return v;
    }),
  );
  const threads = enableKernelThreads({ threads: 2 });
  try {
    expect(threads.threads).toBe(2);
    const before = tf.memory().numTensors;
    const threaded = await Promise.all(
      tf.tidy(cases).map(async (t) => {
        const v = await t.data();
        t.dispose();
        return v;
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    threaded.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(single[i]!)));
  } finally {
    await threads.dispose();
  }
});

describe("the pool's filter cache", () => {
  // ConvTranspose(4, 2, 1) 64 -> 64 on 24x24: four threaded Winograd phases.
  const dy = () => tf.randomUniform([1, 24, 24, 64], -1, 1, 'float32', 11) as tf.Tensor4D;
  const convT = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2dTranspose(x, w, [1, 48, 48, 64], 2, 'same');
  const heapDataIds = () => tf.engine().backend.numDataIds();
  const valuesOf = async (t: tf.Tensor) => {
    const values = Array.from(await t.data());
    t.dispose();
    return values;
  };

  test('a threaded layer packs its filter once, in the shared memory and not on the heap', async () => {
    expect(1 * 24 * 24 * 64 * 4 * 64).toBeGreaterThan(MIN_THREADED_MACS);
    const [x, w] = [dy(), tf.randomUniform([4, 4, 64, 64], -1, 1, 'float32', 12) as tf.Tensor4D];
    const single = await valuesOf(convT(x, w));
    const threads = enableKernelThreads({ threads: 2 });
    try {
      const cache = sharedFilterCache(getKernelThreadPool()!);
      const [w2, ids] = [tf.add(w, 0) as tf.Tensor4D, heapDataIds()]; // new data, same values
      expect(await valuesOf(convT(x, w2))).toEqual(single);
      // The single-thread call left a packed copy of w on the heap; w2's went to the pool only.
      expect(heapDataIds()).toBe(ids);
      const [size, bytes] = [cache.size, cache.bytes];
      expect(size).toBe(4); // one F(4x4, 2x2) packing per phase
      expect(bytes).toBe(4 * 25 * 64 * 64 * 4);
      expect(await valuesOf(convT(x, w2))).toEqual(single);
      expect([cache.size, cache.bytes]).toEqual([size, bytes]);
      // A new weight tensor (a training step's, another model's) replaces the freed one's entry.
      w2.dispose();
      // (Scaling by -2 is exact in float32, through every transform.)
      const w3 = tf.mul(w, -2) as tf.Tensor4D;
      expect(await valuesOf(convT(x, w3))).toEqual(single.map((v) => v * -2));
      expect([cache.size, cache.bytes]).toEqual([size, bytes]);
      w3.dispose();
    } finally {
      await threads.dispose();
      tf.dispose([x, w]);
    }
  });

  test('with the cache off (filters packed on the heap, copied per call) results are the same bit for bit', async () => {
    const [x, w] = [dy(), tf.randomUniform([4, 4, 64, 64], -1, 1, 'float32', 13) as tf.Tensor4D];
    const threads = enableKernelThreads({ threads: 2 });
    try {
      const cached = await valuesOf(convT(x, w));
      setSharedFilterCache(false);
      const copied = await valuesOf(convT(x, w));
      setSharedFilterCache(true);
      expect(copied).toEqual(cached);
      expect(await valuesOf(convT(x, w))).toEqual(cached);
    } finally {
      setSharedFilterCache(true);
      await threads.dispose();
      tf.dispose([x, w]);
    }
  });
});

test('idle threads spin spinMs before parking: results the same either way, bad values refused', async () => {
  expect(() => enableKernelThreads({ spinMs: -1 })).toThrow(/spinMs must be an integer from 0 to 10000, got -1/);
  expect(() => enableKernelThreads({ spinMs: 1.5 })).toThrow(/spinMs/);
  const threads = enableKernelThreads({ threads: 2 });
  const x = tf.randomUniform([1, 40, 36, 32], -1, 1, 'float32', 21) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 32, 48], -1, 1, 'float32', 22) as tf.Tensor4D;
  const values = async () => {
    const y = tf.conv2d(x, w, 1, 'same');
    const v = Array.from(await y.data());
    y.dispose();
    return v;
  };
  try {
    expect(threads.spinMs).toBe(DEFAULT_KERNEL_THREAD_SPIN_MS);
    const spinning = await values();
    threads.spinMs = 0;
    expect(threads.spinMs).toBe(0);
    // Parked workers are woken by the next split.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await values()).toEqual(spinning);
    expect(() => {
      threads.spinMs = 20_000;
    }).toThrow(/spinMs/);
    expect(threads.spinMs).toBe(0);
  } finally {
    await threads.dispose();
    tf.dispose([x, w]);
  }
});

test('by default all cores, at most MAX_DEFAULT_KERNEL_THREADS', async () => {
  expect(defaultKernelThreads()).toBe(Math.min(availableParallelism(), MAX_DEFAULT_KERNEL_THREADS));
  const threads = enableKernelThreads();
  expect(threads.threads).toBe(defaultKernelThreads());
  await threads.dispose();
});

test('enabling twice is refused until disposed', async () => {
  const threads = enableKernelThreads({ threads: 2 });
  expect(() => enableKernelThreads({ threads: 2 })).toThrow(/already enabled/);
  await threads.dispose();
  const again = enableKernelThreads({ threads: 1 });
  await again.dispose();
});
