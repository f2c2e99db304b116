import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '../index';
import { expectClose, randomValues, runOn, sizeOf } from '../testing/compare';
import { relaxedSimdSupported, setWasmSimdVariant, type WasmSimdVariant } from '../train/simd_variant';
import { conv1x1Calls, conv1x1FilterGradPath, conv1x1ForwardPath } from './conv1x1';

/**
 * The 1x1 stride-1 kernels of csrc/conv1x1.inc.c (forward with bias, input gradient, filter
 * gradient) against the cpu backend's conv2d and tfjs's gradients of it: WaveMix-Lite-8's shapes
 * (8 -> 2 at 28 x 28, 8 -> 16 and 16 -> 8 at 14 x 14) and odd ones (pixel counts off the 2- and
 * 4-pixel groups, every narrow channel count).
 */
const cases: Array<[number[], number]> = [
  [[2, 28, 28, 8], 2],
  [[1, 7, 9, 8], 2],
  [[2, 14, 14, 8], 16],
  [[2, 14, 14, 16], 8],
  [[1, 5, 7, 2], 8],
  [[1, 5, 7, 8], 1],
  [[1, 5, 7, 8], 3],
  [[1, 5, 7, 8], 5],
  [[1, 5, 7, 8], 6],
  [[1, 5, 7, 8], 7],
  [[1, 5, 7, 4], 3],
  [[1, 3, 5, 12], 5],
  [[1, 5, 7, 16], 2],
  [[1, 5, 7, 12], 3],
  [[1, 5, 7, 16], 4],
  [[1, 5, 7, 8], 12],
  [[1, 3, 3, 4], 16],
  [[1, 5, 7, 1], 4],
  [[1, 5, 7, 3], 8],
  [[1, 5, 7, 3], 1],
  [[1, 5, 7, 1], 3],
];

function conv(x: tf.Tensor4D, w: tf.Tensor4D, bias: tf.Tensor1D) {
  return tf.fused.conv2d({ x, filter: w, bias, strides: 1, pad: 'valid' });
}

async function valueAndGrads(backend: string, xShape: number[], cout: number) {
  const cin = xShape[3]!;
  const xv = randomValues(sizeOf(xShape), 1);
  const wv = randomValues(cin * cout, 2);
  const bv = randomValues(cout, 3);
  return runOn(backend, () => {
    const x = tf.tensor4d(xv, xShape as [number, number, number, number]);
    const w = tf.tensor4d(wv, [1, 1, cin, cout]);
    const b = tf.tensor1d(bv);
    const y = conv(x, w, b);
    const weights = tf.tensor(randomValues(y.size, 4), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, f: tf.Tensor) =>
      tf.sum(tf.mul(conv(a as tf.Tensor4D, f as tf.Tensor4D, b), weights)),
    )([x, w]);
    return [y, dx!, dw!];
  });
}

describe('which 1x1 kernel a shape takes', () => {
  test('forward (and the input gradient, a forward with in and out swapped)', () => {
    expect(conv1x1ForwardPath(8, 2)).toBe('dots');
    expect(conv1x1ForwardPath(2, 8)).toBe('rows');
    expect(conv1x1ForwardPath(8, 16)).toBe('rows');
    expect(conv1x1ForwardPath(16, 8)).toBe('rows');
    expect(conv1x1ForwardPath(8, 7)).toBe('dots');
    expect(conv1x1ForwardPath(16, 2)).toBe('dots');
    expect(conv1x1ForwardPath(12, 3)).toBeNull();
    expect(conv1x1ForwardPath(3, 1)).toBeNull();
    expect(conv1x1ForwardPath(64, 32)).toBeNull();
  });
  test('filter gradient', () => {
    expect(conv1x1FilterGradPath(8, 2)).toBe('in');
    expect(conv1x1FilterGradPath(2, 8)).toBe('out');
    expect(conv1x1FilterGradPath(16, 4)).toBe('in');
    expect(conv1x1FilterGradPath(4, 16)).toBe('out');
    expect(conv1x1FilterGradPath(8, 16)).toBeNull();
    expect(conv1x1FilterGradPath(16, 8)).toBeNull();
    expect(conv1x1FilterGradPath(3, 1)).toBeNull();
  });
});

const variants: WasmSimdVariant[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];

describe.each(variants)('1x1 convolutions on wasm (%s kernels) match the cpu backend', (variant) => {
  beforeAll(() => setWasmSimdVariant(variant));
  afterAll(() => setWasmSimdVariant('auto'));

  for (const [xShape, cout] of cases) {
    const cin = xShape[3]!;
    test(`[${xShape}] x [1, 1, ${cin}, ${cout}]: value, input and filter gradients`, async () => {
      const expected = await valueAndGrads('cpu', xShape, cout);
      const before = conv1x1Calls();
      const actual = await valueAndGrads('wasm', xShape, cout);
      const after = conv1x1Calls();
      for (let i = 0; i < 3; i++) expectClose(actual[i]!, expected[i]!, 1e-5, 1e-6);
      // The kernels this shape should take ran (forward twice, input gradient once), the others did not.
      const paths = [conv1x1ForwardPath(cin, cout), conv1x1ForwardPath(cout, cin)];
      const runs = (path: string) => 2 * Number(paths[0] === path) + Number(paths[1] === path);
      expect(after.rows - before.rows).toBe(runs('rows'));
      expect(after.dots - before.dots).toBe(runs('dots'));
      expect(after.filterGrad - before.filterGrad).toBe(conv1x1FilterGradPath(cin, cout) ? 1 : 0);
    });
  }

  test('the 1x1 kernels leak no tensors and no backend buffers', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(randomValues(2 * 6 * 6 * 8, 5), [2, 6, 6, 8]);
    const w = tf.tensor4d(randomValues(8 * 2, 6), [1, 1, 8, 2]);
    const b = tf.tensor1d(randomValues(2, 7));
    const step = () => {
      const g = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(conv(a as tf.Tensor4D, f as tf.Tensor4D, b)));
      tf.dispose(g([x, w]));
    };
    step();
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    const before = conv1x1Calls();
    for (let i = 0; i < 3; i++) step();
    // Per step: the forward (8 -> 2: dots), the input gradient (2 -> 8: rows), the filter gradient.
    const after = conv1x1Calls();
    expect([after.dots - before.dots, after.rows - before.rows, after.filterGrad - before.filterGrad]).toEqual([
      3, 3, 3,
    ]);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, w, b]);
  });
});
