import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '../index';
import { relaxedSimdSupported, setWasmSimdVariant, type WasmSimdVariant } from '../train/simd_variant';
import { expectClose, randomValues, runOn, sizeOf } from '../testing/compare';

/**
 * Forward value and gradients (input and filter) of each convolution on wasm, with our kernels,
 * against the cpu backend's reference kernels. Small shapes that cover stride, padding modes,
 * odd sizes, channel counts that are not multiples of the SIMD tiles, and conv2dTranspose.
 */
type Conv = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor;

const convT =
  (stride: number, pad: 'same' | 'valid', extra: number): Conv =>
  (x, w) =>
    tf.conv2dTranspose(
      x,
      w,
      [x.shape[0], stride * x.shape[1] + extra, stride * x.shape[2] + extra, w.shape[2]],
      stride,
      pad,
    );

const cases: Array<[string, Conv, number[], number[]]> = [
  ['conv 1x1', (x, w) => tf.conv2d(x, w, 1, 'valid'), [2, 5, 6, 7], [1, 1, 7, 9]],
  ['conv 1x1, 13 -> 17 channels', (x, w) => tf.conv2d(x, w, 1, 'valid'), [1, 3, 4, 13], [1, 1, 13, 17]],
  ['conv 3x3 same', (x, w) => tf.conv2d(x, w, 1, 'same'), [2, 5, 6, 7], [3, 3, 7, 9]],
  ['conv 3x3 stride 2 valid', (x, w) => tf.conv2d(x, w, 2, 'valid'), [2, 9, 8, 3], [3, 3, 3, 5]],
  ['conv 3x3 stride 2 same (odd input)', (x, w) => tf.conv2d(x, w, 2, 'same'), [2, 9, 7, 3], [3, 3, 3, 5]],
  [
    'conv 3x3 stride 2, explicit pad 1 (PyTorch)',
    (x, w) =>
      tf.conv2d(x, w, 2, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]),
    [2, 8, 8, 3],
    [3, 3, 3, 5],
  ],
  ['conv 4x4 stride 4 (patchify)', (x, w) => tf.conv2d(x, w, 4, 'valid'), [2, 8, 8, 3], [4, 4, 3, 6]],
  ['conv 5x3 stride (2, 1) same', (x, w) => tf.conv2d(x, w, [2, 1], 'same'), [1, 7, 6, 4], [5, 3, 4, 3]],
  ['conv2dTranspose 4x4 stride 2 same (WaveMix)', convT(2, 'same', 0), [2, 5, 4, 6], [4, 4, 5, 6]],
  ['conv2dTranspose 3x3 stride 2 valid', convT(2, 'valid', 1), [2, 5, 4, 6], [3, 3, 5, 6]],
  ['conv2dTranspose 2x2 stride 3 valid (uncovered phases)', convT(3, 'valid', -1), [1, 3, 4, 2], [2, 2, 3, 2]],
  ['depthwise 3x3 same', (x, w) => tf.depthwiseConv2d(x, w, 1, 'same'), [2, 5, 6, 9], [3, 3, 9, 1]],
  [
    'depthwise 3x3 stride 2 same, multiplier 2',
    (x, w) => tf.depthwiseConv2d(x, w, 2, 'same'),
    [2, 7, 6, 5],
    [3, 3, 5, 2],
  ],
];

async function valueAndGrads(backend: string, f: Conv, xShape: number[], wShape: number[]) {
  const xv = randomValues(sizeOf(xShape), 1);
  const wv = randomValues(sizeOf(wShape), 2);
  return runOn(backend, () => {
    const x = tf.tensor4d(xv, xShape as [number, number, number, number]);
    const w = tf.tensor4d(wv, wShape as [number, number, number, number]);
    const y = f(x, w);
    const weights = tf.tensor(randomValues(y.size, 3), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), weights)),
    )([x, w]);
    return [y, dx!, dw!];
  });
}

// Both builds of the kernel module: relaxed SIMD (FMA micro-kernels) where the runtime has it, and
// the plain-SIMD fallback.
const variants: WasmSimdVariant[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];

describe.each(variants)('convolution gradients on wasm (%s kernels) match the cpu backend', (variant) => {
  beforeAll(() => setWasmSimdVariant(variant));
  afterAll(() => setWasmSimdVariant('auto'));

  for (const [name, f, xShape, wShape] of cases) {
    test(name, async () => {
      const expected = await valueAndGrads('cpu', f, xShape, wShape);
      const actual = await valueAndGrads('wasm', f, xShape, wShape);
      for (let i = 0; i < 3; i++) expectClose(actual[i]!, expected[i]!, 1e-5, 1e-5);
    });
  }

  test('the kernels leak no tensors and no backend buffers', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(randomValues(2 * 6 * 6 * 4, 4), [2, 6, 6, 4]);
    const w = tf.tensor4d(randomValues(4 * 4 * 5 * 4, 5), [4, 4, 5, 4]);
    const step = () => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 12, 12, 5], 2, 'same')),
      );
      tf.dispose(g([x, w]));
    };
    step();
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, w]);
  });
});
