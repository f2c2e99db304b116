import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { pointwiseMlp } from '@wavemix/core';
import { MIN_THREADED_MACS, useWasmTraining } from '@wavemix/kernels-wasm';
import { enableKernelThreads } from './kernel_threads';

/**
 * The wasm PointwiseMlp kernel with kernel threads set: a unit large enough to thread has its
 * tiles split across the threads (W3's level-1 unit, batch 1, also on a concatenation's two parts),
 * a small one stays on this thread; all equal the single-thread kernel.
 */
beforeAll(async () => {
  await useWasmTraining();
});

/** [x shape, hidden, out, channels of a concatenation's second part (0: one input)]. */
const units: Array<[number[], number, number, number]> = [
  [[1, 28, 28, 288], 384, 192, 0], // 87 M multiply-adds in the first conv: threaded
  [[1, 7, 7, 192], 384, 96, 0], // 3.6 M: fused on this thread
  [[1, 28, 28, 192], 384, 192, 96], // W3's level-1 unit on concat[X_1, y] read in place: threaded
];

function run(): tf.Tensor[] {
  return units.map(([shape, hidden, out, second], i) =>
    tf.tidy(() =>
      pointwiseMlp(
        second
          ? [
              tf.randomUniform(shape, -2, 2, 'float32', 10 + i),
              tf.randomUniform([...shape.slice(0, 3), second], -2, 2, 'float32', 60 + i),
            ]
          : tf.randomUniform(shape, -2, 2, 'float32', 10 + i),
        tf.randomUniform([shape[3]! + second, hidden], -0.1, 0.1, 'float32', 20 + i),
        tf.randomUniform([hidden], -0.1, 0.1, 'float32', 30 + i),
        tf.randomUniform([hidden, out], -0.1, 0.1, 'float32', 40 + i),
        tf.randomUniform([out], -0.1, 0.1, 'float32', 50 + i),
      ),
    ),
  );
}

async function download(ts: tf.Tensor[]): Promise<Float32Array[]> {
  const values = await Promise.all(ts.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(ts);
  return values;
}

test('threaded and single-thread pointwise MLPs agree within 1e-5', async () => {
  expect(28 * 28 * 288 * 384).toBeGreaterThan(MIN_THREADED_MACS);
  expect(7 * 7 * 384 * 192).toBeLessThan(MIN_THREADED_MACS);
  const single = await download(run());
  const threads = enableKernelThreads({ threads: 2 });
  try {
    const before = tf.memory().numTensors;
    const threaded = await download(run());
    expect(tf.memory().numTensors).toBe(before);
    threaded.forEach((values, i) => {
      const expected = single[i]!;
      const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(scale).toBeGreaterThan(0.1);
      let worst = 0;
      for (let j = 0; j < expected.length; j++) worst = Math.max(worst, Math.abs(values[j]! - expected[j]!));
      expect(worst).toBeLessThanOrEqual(1e-5 * scale);
    });
  } finally {
    await threads.dispose();
  }
});
