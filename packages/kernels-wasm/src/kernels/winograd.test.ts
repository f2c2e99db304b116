import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '../index';
import { expectClose, randomValues, runOn, sizeOf } from '../testing/compare';
import { relaxedSimdSupported, setWasmSimdVariant, type WasmSimdVariant } from '../train/simd_variant';
import type { ConvGeometry } from './conv_forward';
import { setWasmWinograd, wasmWinogradEnabled, winograd22Applies } from './winograd';

/**
 * Winograd F(2x2, 2x2) (the 2x2-tap phases of ConvTranspose(4, 2, 1)) against the cpu backend's
 * conv2dTranspose: shapes where it applies (>= 16 channels, input channels a multiple of 4), with
 * odd sizes (half-outside tiles), batches, output channels that are not a multiple of 8 (narrow
 * panels) and more tiles than one block (32).
 */
const convT = (x: tf.Tensor4D, w: tf.Tensor4D) =>
  tf.conv2dTranspose(x, w, [x.shape[0], 2 * x.shape[1], 2 * x.shape[2], w.shape[2]], 2, 'same');

const cases: Array<[string, number[], number[]]> = [
  ['16 -> 16, 3x3 input (one tile row half outside)', [1, 3, 3, 16], [4, 4, 16, 16]],
  ['20 -> 17, batch 2, 7x9 input (narrow last panel, odd sizes)', [2, 7, 9, 20], [4, 4, 17, 20]],
  ['64 -> 64, batch 3, 12x10 input (several blocks of 32 tiles)', [3, 12, 10, 64], [4, 4, 64, 64]],
  ['192 -> 96, 14x14 (WaveMix-192 level 2)', [1, 14, 14, 192], [4, 4, 96, 192]],
];

function convTOn(backend: string, xShape: number[], wShape: number[]) {
  const xv = randomValues(sizeOf(xShape), 11);
  const wv = randomValues(sizeOf(wShape), 12);
  return runOn(backend, () =>
    convT(
      tf.tensor4d(xv, xShape as [number, number, number, number]),
      tf.tensor4d(wv, wShape as [number, number, number, number]),
    ),
  );
}

/** The cpu backend's results, computed once for both kernel builds. */
const references = new Map<string, Promise<Float32Array>>();
const reference = (xShape: number[], wShape: number[]) => {
  const key = `${xShape}|${wShape}`;
  if (!references.has(key))
    references.set(
      key,
      convTOn('cpu', xShape, wShape).then(([v]) => v as Float32Array),
    );
  return references.get(key)!;
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

describe('when Winograd F(2x2, 2x2) applies', () => {
  afterEach(() => setWasmWinograd(true));

  test('2x2 stride-1 phases with >= 16 channels and input channels a multiple of 4; off by switch', () => {
    expect(wasmWinogradEnabled()).toBe(true);
    for (const [, xShape, wShape] of cases) expect(winograd22Applies(geometry(xShape[3]!, wShape[2]!))).toBe(true);
    expect(winograd22Applies(geometry(18, 16))).toBe(false); // input channels not a multiple of 4
    expect(winograd22Applies(geometry(12, 16))).toBe(false); // too few channels
    expect(winograd22Applies(geometry(16, 8))).toBe(false);
    expect(winograd22Applies(geometry(16, 16, 3))).toBe(false); // 3x3 taps
    expect(winograd22Applies({ ...geometry(16, 16), dilationWidth: 2 })).toBe(false);
    setWasmWinograd(false);
    expect(winograd22Applies(geometry(16, 16))).toBe(false);
  });
});

const variants: WasmSimdVariant[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];

describe.each(variants)('Winograd ConvTranspose(4, 2, 1) on wasm (%s kernels) matches the cpu backend', (variant) => {
  beforeAll(() => setWasmSimdVariant(variant));
  afterAll(() => setWasmSimdVariant('auto'));

  for (const [name, xShape, wShape] of cases) {
    test(name, async () => {
      const expected = await reference(xShape, wShape);
      const [actual] = await convTOn('wasm', xShape, wShape);
      // Relative to the output's scale: F(2x2, 2x2) adds a few +-1 additions per product.
      expectClose(actual!, expected, 5e-6, 0);
    });
  }

  test('leaks no tensors and no backend buffers', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(randomValues(2 * 6 * 6 * 16, 4), [2, 6, 6, 16]);
    const w = tf.tensor4d(randomValues(4 * 4 * 16 * 16, 5), [4, 4, 16, 16]);
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
