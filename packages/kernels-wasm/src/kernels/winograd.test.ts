import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '../index';
import { expectClose, randomValues, runOn, sizeOf } from '../testing/compare';
import { relaxedSimdSupported, setWasmSimdVariant, type WasmSimdVariant } from '../train/simd_variant';
import type { ConvGeometry } from './conv_forward';
import {
  setWasmWinograd,
  setWasmWinogradLargeTiles,
  wasmWinogradEnabled,
  winogradFilterGradApplies,
  winogradTaps,
  winogradTile,
} from './winograd';

/**
 * Winograd F(m x m, 2x2) (the 2x2-tap phases of ConvTranspose(4, 2, 1)) and F(m x m, 3x3) (3x3
 * stride-1 convolutions, and the input gradient of one: a stride-1 Conv2DBackpropInput), m = 2, 4, against
 * the cpu backend: shapes where they apply (>= 32 channels, input channels a multiple of 4), with
 * odd sizes (half-outside tiles), batches, output channels that are not a multiple of 8 (narrow
 * panels), more tiles than one block (32), padding 'same' and 'valid', and a bias.
 */
type Op = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor;

const convT: Op = (x, w) =>
  tf.conv2dTranspose(x, w, [x.shape[0], 2 * x.shape[1], 2 * x.shape[2], w.shape[2]], 2, 'same');
const conv3 =
  (pad: 'same' | 'valid'): Op =>
  (x, w) =>
    tf.conv2d(x, w, 1, pad);
const conv3Bias: Op = (x, w) =>
  tf.fused.conv2d({ x, filter: w, bias: tf.linspace(-1, 1, w.shape[3]), strides: 1, pad: 'same' });
/**
 * A 2r x 2r stride-2 Conv2D (the input gradient of ConvTranspose(4, 2, 1) is one with r = 2, pad
 * 1): four input phases summed in the Winograd GEMMs.
 */
const strided =
  (pad: 'same' | 'valid' | number): Op =>
  (x, w) =>
    tf.conv2d(
      x,
      w,
      2,
      typeof pad === 'number'
        ? ([
            [0, 0],
            [pad, pad],
            [pad, pad],
            [0, 0],
          ] as const)
        : pad,
    );
/** Conv2DBackpropInput with stride 1 and a 3x3 filter: one phase, F(2x2, 3x3). */
const conv3InputGradient: Op = (x, w) =>
  tf.conv2dTranspose(x, w, [x.shape[0], x.shape[1], x.shape[2], w.shape[2]], 1, 'same');

const cases: Array<[string, Op, number[], number[]]> = [
  ['ConvTranspose 32 -> 32, 3x3 input (one tile row half outside)', convT, [1, 3, 3, 32], [4, 4, 32, 32]],
  ['ConvTranspose 36 -> 33, batch 2, 7x9 (narrow last panel, odd sizes)', convT, [2, 7, 9, 36], [4, 4, 33, 36]],
  ['ConvTranspose 64 -> 64, batch 3, 12x10 (several blocks of 32 tiles)', convT, [3, 12, 10, 64], [4, 4, 64, 64]],
  ['ConvTranspose 192 -> 96, 14x14 (WaveMix-192 level 2)', convT, [1, 14, 14, 192], [4, 4, 96, 192]],
  ['conv 3x3 same 32 -> 32, 5x7', conv3('same'), [1, 5, 7, 32], [3, 3, 32, 32]],
  ['conv 3x3 valid 36 -> 35, batch 2, 9x8', conv3('valid'), [2, 9, 8, 36], [3, 3, 36, 35]],
  ['conv 3x3 same + bias 48 -> 40, batch 2, 17x16 (several blocks)', conv3Bias, [2, 17, 16, 48], [3, 3, 48, 40]],
  [
    'conv 4x4 stride 2 pad 1 (ConvTranspose input gradient) 64 -> 64, batch 2, 16x16',
    strided(1),
    [2, 16, 16, 64],
    [4, 4, 64, 64],
  ],
  [
    'conv 4x4 stride 2 pad 1 36 -> 32, 60x58 (4x4 tiles, ragged last row and column)',
    strided(1),
    [1, 60, 58, 36],
    [4, 4, 36, 32],
  ],
  ['ConvTranspose 32 -> 33, batch 2, 15x15 (4x4 tiles, ragged, narrow panel)', convT, [2, 15, 15, 32], [4, 4, 33, 32]],
  ['conv 4x4 stride 2 same 32 -> 36, 9x11 (odd: half-outside tiles)', strided('same'), [1, 9, 11, 32], [4, 4, 32, 36]],
  ['conv 4x4 stride 2 valid 36 -> 33, batch 3, 10x12', strided('valid'), [3, 10, 12, 36], [4, 4, 36, 33]],
  ['conv 6x6 stride 2 pad 2 (phases of 3x3) 32 -> 40, 13x12', strided(2), [1, 13, 12, 32], [6, 6, 32, 40]],
  [
    'conv 3x3 input gradient (stride-1 Conv2DBackpropInput) 32 <- 36, 6x5',
    conv3InputGradient,
    [2, 6, 5, 36],
    [3, 3, 32, 36],
  ],
  [
    'conv 3x3 same 48 -> 96, 28x28 (4x4 tiles, the W3 stem on a smaller image)',
    conv3('same'),
    [1, 28, 28, 48],
    [3, 3, 48, 96],
  ],
  [
    'conv 3x3 same 32 -> 36, batch 2, 15x13 (4x4 tiles, ragged, narrow panel)',
    conv3('same'),
    [2, 15, 13, 32],
    [3, 3, 32, 36],
  ],
  ['conv 3x3 valid 192 -> 64, 18x18 (4x4 tiles, deep sums)', conv3('valid'), [1, 18, 18, 192], [3, 3, 192, 64]],
  ['conv 3x3 input gradient 32 <- 36, batch 2, 16x12 (4x4 tiles)', conv3InputGradient, [2, 16, 12, 36], [3, 3, 32, 36]],
  ['conv 6x6 stride 2 pad 2 (phases of 3x3) 32 -> 40, 32x30 (4x4 tiles)', strided(2), [1, 32, 30, 32], [6, 6, 32, 40]],
];

function runOp(backend: string, f: Op, xShape: number[], wShape: number[]) {
  const xv = randomValues(sizeOf(xShape), 11);
  const wv = randomValues(sizeOf(wShape), 12);
  return runOn(backend, () =>
    f(
      tf.tensor4d(xv, xShape as [number, number, number, number]),
      tf.tensor4d(wv, wShape as [number, number, number, number]),
    ),
  );
}

/** Cases that get 4x4 output tiles (F(4x4, 2x2) or F(4x4, 3x3)); the rest use F(2x2, r x r). */
const largeTileCases = new Set([
  'ConvTranspose 32 -> 32, 3x3 input (one tile row half outside)',
  'conv 4x4 stride 2 pad 1 (ConvTranspose input gradient) 64 -> 64, batch 2, 16x16',
  'conv 4x4 stride 2 pad 1 36 -> 32, 60x58 (4x4 tiles, ragged last row and column)',
  'ConvTranspose 32 -> 33, batch 2, 15x15 (4x4 tiles, ragged, narrow panel)',
  'conv 3x3 same + bias 48 -> 40, batch 2, 17x16 (several blocks)',
  'conv 3x3 same 48 -> 96, 28x28 (4x4 tiles, the W3 stem on a smaller image)',
  'conv 3x3 same 32 -> 36, batch 2, 15x13 (4x4 tiles, ragged, narrow panel)',
  'conv 3x3 valid 192 -> 64, 18x18 (4x4 tiles, deep sums)',
  'conv 3x3 input gradient 32 <- 36, batch 2, 16x12 (4x4 tiles)',
  'conv 6x6 stride 2 pad 2 (phases of 3x3) 32 -> 40, 32x30 (4x4 tiles)',
]);

/** The cpu backend's results, computed once for both kernel builds. */
const references = new Map<string, Promise<Float32Array>>();
const reference = (name: string, f: Op, xShape: number[], wShape: number[]) => {
  if (!references.has(name))
    references.set(
      name,
      runOp('cpu', f, xShape, wShape).then(([v]) => v as Float32Array),
    );
  return references.get(name)!;
};

const geometry = (inChannels: number, outChannels: number, taps = 2): ConvGeometry => ({
  batch: 1,
  inHeight: 8,
  inWidth: 8,
  inChannels,
  outHeight: 8,
  outWidth: 8,
  outChannels,
  filterHeight: taps,
  filterWidth: taps,
  strideHeight: 1,
  strideWidth: 1,
  dilationHeight: 1,
  dilationWidth: 1,
  padTop: 1,
  padLeft: 1,
});

describe('when Winograd applies', () => {
  afterEach(() => setWasmWinograd(true));

  test('r x r stride 1 and 2r x 2r stride 2 (r = 2, 3) with >= 32 channels and input channels a multiple of 4; off by switch', () => {
    expect(wasmWinogradEnabled()).toBe(true);
    expect(winogradTaps(geometry(32, 32))).toBe(2);
    expect(winogradTaps(geometry(192, 96))).toBe(2);
    expect(winogradTaps(geometry(48, 40, 3))).toBe(3);
    expect(winogradTaps(geometry(34, 32))).toBe(0); // input channels not a multiple of 4
    expect(winogradTaps(geometry(28, 32))).toBe(0); // too few channels
    expect(winogradTaps(geometry(32, 16))).toBe(0);
    expect(winogradTaps(geometry(32, 32, 4))).toBe(0); // 4x4 taps
    expect(winogradTaps({ ...geometry(32, 32, 3), filterWidth: 2 })).toBe(0);
    expect(winogradTaps({ ...geometry(32, 32), strideHeight: 2 })).toBe(0);
    const stride2 = { strideHeight: 2, strideWidth: 2 };
    expect(winogradTaps({ ...geometry(64, 64, 4), ...stride2 })).toBe(2); // ConvTranspose(4, 2, 1)'s input gradient
    expect(winogradTaps({ ...geometry(32, 40, 6), ...stride2 })).toBe(3);
    expect(winogradTaps({ ...geometry(32, 32, 3), ...stride2 })).toBe(0); // phases of unequal taps
    expect(winogradTaps({ ...geometry(32, 32, 4), ...stride2, strideWidth: 1 })).toBe(0);
    expect(winogradTaps({ ...geometry(32, 32, 6), strideHeight: 3, strideWidth: 3 })).toBe(0);
    expect(winogradTaps({ ...geometry(32, 32), dilationWidth: 2 })).toBe(0);
    setWasmWinograd(false);
    expect(winogradTaps(geometry(32, 32))).toBe(0);
  });

  test('4x4 output tiles when they add at most 15 % padding over 2x2 tiles; off by switch', () => {
    const out = (h: number, w: number) => ({ ...geometry(32, 32), outHeight: h, outWidth: w });
    expect(winogradTile(out(16, 16), 2)).toBe(4);
    expect(winogradTile(out(28, 28), 2)).toBe(4);
    expect(winogradTile(out(30, 30), 2)).toBe(4); // 32^2 / 30^2 = 1.14
    expect(winogradTile(out(14, 14), 2)).toBe(2); // 16^2 / 14^2 = 1.31
    expect(winogradTile(out(7, 7), 2)).toBe(4); // both pad to 8x8
    expect(winogradTile(out(16, 16), 3)).toBe(4);
    expect(winogradTile(out(224, 224), 3)).toBe(4);
    expect(winogradTile(out(14, 14), 3)).toBe(2);
    expect(winogradTile(out(16, 16), 0)).toBe(0);
    setWasmWinogradLargeTiles(false);
    expect(winogradTile(out(16, 16), 2)).toBe(2);
    expect(winogradTile(out(16, 16), 3)).toBe(2);
    setWasmWinogradLargeTiles(true);
  });

  test('filter gradients of 2s x 2s stride-s convolutions (s = 1, 2) with >= 32 channels, multiples of 4', () => {
    const info = (k: number, s: number, cin: number, cout: number) => ({
      filterHeight: k,
      filterWidth: k,
      strideHeight: s,
      strideWidth: s,
      dilationHeight: 1,
      dilationWidth: 1,
      inChannels: cin,
      outChannels: cout,
    });
    expect(winogradFilterGradApplies(info(4, 2, 64, 64))).toBe(true);
    expect(winogradFilterGradApplies(info(2, 1, 32, 36))).toBe(true);
    expect(winogradFilterGradApplies(info(3, 1, 64, 64))).toBe(false); // 3x3: not built
    expect(winogradFilterGradApplies(info(6, 3, 64, 64))).toBe(false);
    expect(winogradFilterGradApplies(info(4, 2, 64, 30))).toBe(false);
    expect(winogradFilterGradApplies(info(4, 2, 16, 64))).toBe(false);
    expect(winogradFilterGradApplies({ ...info(4, 2, 64, 64), dilationWidth: 2 })).toBe(false);
    setWasmWinograd(false);
    expect(winogradFilterGradApplies(info(4, 2, 64, 64))).toBe(false);
    setWasmWinograd(true);
  });
});

const variants: WasmSimdVariant[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];

describe.each(variants)('Winograd convolutions on wasm (%s kernels) match the cpu backend', (variant) => {
  beforeAll(() => setWasmSimdVariant(variant));
  afterAll(() => setWasmSimdVariant('auto'));

  for (const [name, f, xShape, wShape] of cases) {
    test(name, async () => {
      const expected = await reference(name, f, xShape, wShape);
      const [actual] = await runOp('wasm', f, xShape, wShape);
      // Relative to the output's scale: the 2x2-tile transforms add a few +-1 / +-0.5 additions per
      // product; the 4x4-tile ones have coefficients up to 8 and 1/6 (float32 model: 2-5e-6).
      expectClose(actual!, expected, largeTileCases.has(name) ? 1e-5 : 5e-6, 0);
      // The Winograd path ran: its sums round differently from the direct GEMM's on the same inputs.
      setWasmWinograd(false);
      const [direct] = await runOp('wasm', f, xShape, wShape);
      setWasmWinograd(true);
      expect(actual!.some((v, i) => v !== direct![i])).toBe(true);
      // With the tile size expected: 2x2 tiles round differently wherever 4x4 ones ran.
      setWasmWinogradLargeTiles(false);
      const [smallTiles] = await runOp('wasm', f, xShape, wShape);
      setWasmWinogradLargeTiles(true);
      expectClose(smallTiles!, expected, 5e-6, 0);
      expect(actual!.some((v, i) => v !== smallTiles![i])).toBe(largeTileCases.has(name));
    });
  }

  test('leaks no tensors and no backend buffers', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(randomValues(2 * 6 * 6 * 32, 4), [2, 6, 6, 32]);
    const w = tf.tensor4d(randomValues(4 * 4 * 32 * 32, 5), [4, 4, 32, 32]);
    const step = () =>
      tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(convT(a as tf.Tensor4D, b as tf.Tensor4D)))([x, w]));
    step();
    const tensors = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    // The packed filters of disposed weights are freed lazily (next convolution): allow this step's.
    expect(tf.engine().backend.numDataIds()).toBeLessThanOrEqual(buffers);
    tf.dispose([x, w]);
  });
});

/** Filter gradients (Conv2DBackpropFilter) by Winograd F(2x2, 2x2) over input phases, against cpu. */
type FilterGradCase = [string, (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor, number[], number[]];
const filterGradCases: FilterGradCase[] = [
  [
    'ConvTranspose(4, 2, 1) 32 -> 36, batch 2, 8x8 (its filter gradient is a 4x4 stride-2 one)',
    (x, w) => tf.conv2dTranspose(x, w, [x.shape[0], 2 * x.shape[1], 2 * x.shape[2], w.shape[2]], 2, 'same'),
    [2, 8, 8, 32],
    [4, 4, 36, 32],
  ],
  [
    'conv 4x4 stride 2 pad 1 64 -> 64, batch 2, 16x16 (W1 shape, smaller batch)',
    strided(1),
    [2, 16, 16, 64],
    [4, 4, 64, 64],
  ],
  ['conv 4x4 stride 2 same 32 -> 36, 9x11 (ragged dy tiles)', strided('same'), [1, 9, 11, 32], [4, 4, 32, 36]],
  ['conv 4x4 stride 2 valid 36 -> 40, batch 3, 10x12', strided('valid'), [3, 10, 12, 36], [4, 4, 36, 40]],
  [
    'conv 2x2 stride 1 same 32 -> 32, 7x6 (one phase)',
    (x, w) => tf.conv2d(x, w, 1, 'same'),
    [1, 7, 6, 32],
    [2, 2, 32, 32],
  ],
  // More dy tiles than one block (64): several GEMM accumulations.
  ['conv 4x4 stride 2 pad 1 32 -> 32, batch 2, 40x36', strided(1), [2, 40, 36, 32], [4, 4, 32, 32]],
];

function runFilterGrad(backend: string, f: FilterGradCase[1], xShape: number[], wShape: number[]) {
  const xv = randomValues(sizeOf(xShape), 21);
  const wv = randomValues(sizeOf(wShape), 22);
  return runOn(backend, () => {
    const x = tf.tensor4d(xv, xShape as [number, number, number, number]);
    const w = tf.tensor4d(wv, wShape as [number, number, number, number]);
    const y = f(x, w);
    // A fixed upstream gradient, so dW is not just a sum of x windows.
    const dy = tf.tensor(randomValues(y.size, 23), y.shape);
    return tf.grad((filter: tf.Tensor) => f(x, filter as tf.Tensor4D))(w, dy);
  });
}

describe.each(variants)('Winograd filter gradients on wasm (%s kernels) match the cpu backend', (variant) => {
  beforeAll(() => setWasmSimdVariant(variant));
  afterAll(() => setWasmSimdVariant('auto'));

  for (const [name, f, xShape, wShape] of filterGradCases) {
    test(name, async () => {
      const [expected] = await runFilterGrad('cpu', f, xShape, wShape);
      const [actual] = await runFilterGrad('wasm', f, xShape, wShape);
      expectClose(actual!, expected!, 5e-6, 0);
      setWasmWinograd(false);
      const [direct] = await runFilterGrad('wasm', f, xShape, wShape);
      setWasmWinograd(true);
      expectClose(direct!, expected!, 5e-6, 0);
      expect(actual!.some((v, i) => v !== direct![i])).toBe(true);
    });
  }
});
