import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { SeededDropout, seededDropout, seededDropoutImpl } from '@wavemix/core';
import { useWasmTraining } from '../index';
import { randomValues } from '../testing/compare';

/** The wasm kernel (four hashes per SIMD step, then a scalar tail) against core's typed-array reference. */
test('SeededDropout is registered by useWasmTraining and equals the reference bit for bit', async () => {
  await useWasmTraining();
  expect(tf.getKernel(SeededDropout, 'wasm')).toBeDefined();
  for (const [n, rate, seed] of [
    [100_003, 0.5, 12345],
    [7, 0.1, 0],
    [64, 0.9, 4294967295],
  ] as const) {
    const xs = randomValues(n, 17);
    const expected = new Float32Array(n);
    seededDropoutImpl(xs, rate, seed, expected);
    const x = tf.tensor1d(xs);
    const y = seededDropout(x, rate, seed);
    const actual = (await y.data()) as Float32Array;
    expect(Buffer.from(actual.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    tf.dispose([x, y]);
  }
});
