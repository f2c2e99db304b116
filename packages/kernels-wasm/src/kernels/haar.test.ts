import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { dwt2d, idwt2d, waveletPyramid } from '@wavemix/core';
import '../index';
import { expectClose, randomValues, runOn, sizeOf } from '../testing/compare';
import { relaxedSimdSupported, setWasmSimdVariant, type WasmSimdVariant } from '../train/simd_variant';
import * as heap from './heap';

/**
 * The SIMD Haar kernels (csrc/haar.inc.c: Dwt2D, Idwt2D, WaveletPyramid with channels a multiple
 * of 4) against the cpu backend, which runs @wavemix/core's JavaScript reference: odd sizes (zero
 * padding forward, the crop inverse), batches, several pyramid levels and the gradients.
 */
type Case = [string, number[], () => (x: tf.Tensor4D) => tf.Tensor | tf.Tensor[]];
const cases: Case[] = [
  ['dwt2d [2, 9, 11, 8] (odd: padded edge blocks)', [2, 9, 11, 8], () => (x) => dwt2d(x)],
  ['dwt2d [1, 16, 12, 64]', [1, 16, 12, 64], () => (x) => dwt2d(x)],
  ['idwt2d of [2, 5, 6, 16] bands to 9x11 (cropped)', [2, 5, 6, 16], () => (y) => idwt2d(y, [9, 11])],
  ['idwt2d of [1, 4, 4, 32] bands to 8x8', [1, 4, 4, 32], () => (y) => idwt2d(y, [8, 8])],
  ['waveletPyramid [2, 13, 10, 12], 3 levels', [2, 13, 10, 12], () => (x) => waveletPyramid(x, 3)],
  [
    'dwt2d gradient [1, 7, 9, 4]',
    [1, 7, 9, 4],
    () => (x) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(dwt2d(t as tf.Tensor4D), tf.linspace(-2, 2, 16))))(x),
  ],
  [
    'waveletPyramid gradient [2, 12, 10, 8], 2 levels',
    [2, 12, 10, 8],
    () => (x) =>
      tf.grad((t: tf.Tensor) => {
        const [l1, l2] = waveletPyramid(t as tf.Tensor4D, 2);
        return tf.add(tf.sum(tf.square(l1!)), tf.sum(tf.mul(l2!, 3)));
      })(x),
  ],
];

const variants: WasmSimdVariant[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];

describe.each(variants)('Haar kernels on wasm (%s build) match the cpu backend', (variant) => {
  beforeAll(() => setWasmSimdVariant(variant));
  afterAll(() => setWasmSimdVariant('auto'));

  for (const [name, shape, op] of cases) {
    test(name, async () => {
      const values = randomValues(sizeOf(shape), 31);
      const run = (backend: string) =>
        runOn(backend, () => op()(tf.tensor4d(values, shape as [number, number, number, number])));
      const expected = await run('cpu');
      // The SIMD kernels, not the JavaScript fallback, must be what ran.
      const choice = jest.spyOn(heap, 'haarKernelsApply');
      try {
        const actual = await run('wasm');
        expect(actual.length).toBe(expected.length);
        // float32 sums (as PyTorch) against the reference's float64 ones: the last bit may differ.
        actual.forEach((a, i) => expectClose(a, expected[i]!, 2e-7, 0));
        expect(choice.mock.results.length).toBeGreaterThan(0);
        expect(choice.mock.results.every((r) => r.value === true)).toBe(true);
      } finally {
        choice.mockRestore();
      }
    });
  }

  test('channels that are not a multiple of 4 keep the JavaScript kernels, and nothing leaks', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(randomValues(2 * 5 * 6 * 3, 5), [2, 5, 6, 3]);
    const expected = await runOn('cpu', () => dwt2d(tf.tensor4d(randomValues(2 * 5 * 6 * 3, 5), [2, 5, 6, 3])));
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const choice = jest.spyOn(heap, 'haarKernelsApply');
    const [actual] = await runOn('wasm', () => dwt2d(x));
    expect(choice.mock.results.map((r) => r.value)).toEqual([false]);
    choice.mockRestore();
    expectClose(actual!, expected[0]!, 2e-7, 0);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
