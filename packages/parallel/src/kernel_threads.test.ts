import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { MIN_THREADED_MACS, useWasmTraining } from '@wavemix/kernels-wasm';
import { enableKernelThreads } from './kernel_threads';

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

test('enabling twice is refused until disposed', async () => {
  const threads = enableKernelThreads({ threads: 2 });
  expect(() => enableKernelThreads({ threads: 2 })).toThrow(/already enabled/);
  await threads.dispose();
  const again = enableKernelThreads({ threads: 1 });
  await again.dispose();
});
