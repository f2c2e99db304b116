import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { WaveMixArgumentError } from '@wavemix/core';
import { psnr, rgbToY, srMetrics, ssim, SuperResolutionMetrics } from './index';
import { imagePair } from './testdata/generate';
import { REFERENCE } from './testdata/reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('PSNR and SSIM against scikit-image', () => {
  test('grayscale [H, W] in [0, 1]', () => {
    const { a, b } = imagePair(4, 24, 20, 1, 0.2);
    expect(psnr(a, b, { dataRange: 1 })).toBeCloseTo(REFERENCE.gray.psnr, 10);
    expect(ssim(a, b, { dataRange: 1, shape: [24, 20] })).toBeCloseTo(REFERENCE.gray.ssim, 12);
  });

  test('RGB [H, W, 3]: mean of per-channel SSIM', () => {
    const { a, b } = imagePair(5, 24, 20, 3, 0.1);
    expect(psnr(a, b, { dataRange: 1 })).toBeCloseTo(REFERENCE.rgb.psnr, 10);
    expect(ssim(a, b, { dataRange: 1, shape: [24, 20, 3] })).toBeCloseTo(REFERENCE.rgb.ssim, 12);
  });

  test('0-255 values with dataRange 255, as tensors (float32 tolerance), tidy', () => {
    const { a, b } = imagePair(4, 24, 20, 1, 0.2);
    const a8 = a.map((v) => Math.round(v * 255));
    const b8 = b.map((v) => Math.round(v * 255));
    expect(psnr(a8, b8, { dataRange: 255 })).toBeCloseTo(REFERENCE.uint8.psnr, 10);
    expect(ssim(a8, b8, { dataRange: 255, shape: [24, 20, 1] })).toBeCloseTo(REFERENCE.uint8.ssim, 12);
    const ta = tf.tensor3d(Int32Array.from(a8), [24, 20, 1], 'int32');
    const tb = tf.tensor3d(Int32Array.from(b8), [24, 20, 1], 'int32');
    const before = tf.memory().numTensors;
    expect(psnr(ta, tb, { dataRange: 255 })).toBeCloseTo(REFERENCE.uint8.psnr, 10);
    expect(ssim(ta, tb, { dataRange: 255 })).toBeCloseTo(REFERENCE.uint8.ssim, 12);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ta, tb]);
  });

  test('identical images: PSNR is +Infinity, SSIM is 1', () => {
    const { a } = imagePair(4, 24, 20, 1, 0.2);
    expect(psnr(a, a, { dataRange: 1 })).toBe(Infinity);
    expect(ssim(a, a, { dataRange: 1, shape: [24, 20] })).toBeCloseTo(1, 14);
    expect(srMetrics(a, a, { scale: 2, shape: [24, 20, 1] }).psnr).toBe(Infinity);
  });

  test('hand-derived PSNR: a constant error of 0.1 on a [0, 1] image is 20 dB', () => {
    const a = new Float64Array(50).fill(0.5);
    const b = new Float64Array(50).fill(0.6);
    expect(psnr(a, b, { dataRange: 1 })).toBeCloseTo(20, 10);
  });
});

describe('SR convention: Y channel, border crop = scale, mean of per-image values', () => {
  const first = imagePair(6, 22, 26, 3, 0.15);
  const second = imagePair(7, 22, 26, 3, 0.15);
  const sr = new Float64Array(2 * 22 * 26 * 3);
  const hr = new Float64Array(2 * 22 * 26 * 3);
  sr.set(first.a, 0);
  sr.set(second.a, first.a.length);
  hr.set(first.b, 0);
  hr.set(second.b, first.a.length);

  test('typed arrays [N, H, W, 3] in [0, 1]', () => {
    const result = srMetrics(sr, hr, { scale: 2, shape: [2, 22, 26, 3] });
    result.psnrPerImage.forEach((v, i) => expect(v).toBeCloseTo(REFERENCE.sr.psnrPerImage[i]!, 9));
    result.ssimPerImage.forEach((v, i) => expect(v).toBeCloseTo(REFERENCE.sr.ssimPerImage[i]!, 12));
    expect(result.psnr).toBeCloseTo(REFERENCE.sr.psnr, 9);
    expect(result.ssim).toBeCloseTo(REFERENCE.sr.ssim, 12);
  });

  test('streamed tensors in [0, 255] (float32 tolerance)', () => {
    const metric = new SuperResolutionMetrics({ scale: 2, dataRange: 255 });
    for (const pair of [first, second]) {
      const a = tf.tensor4d(
        Float32Array.from(pair.a, (v) => v * 255),
        [1, 22, 26, 3],
      );
      const b = tf.tensor4d(
        Float32Array.from(pair.b, (v) => v * 255),
        [1, 22, 26, 3],
      );
      metric.update(a, b);
      tf.dispose([a, b]);
    }
    const result = metric.result();
    expect(result.psnr).toBeCloseTo(REFERENCE.sr.psnr, 4);
    expect(result.ssim).toBeCloseTo(REFERENCE.sr.ssim, 6);
  });

  test('rgbToY of white and black is 235 and 16', () => {
    expect(Array.from(rgbToY([1, 1, 1, 0, 0, 0]))).toEqual([expect.closeTo(235, 10), 16]);
    expect(Array.from(rgbToY([255, 255, 255], 255))).toEqual([expect.closeTo(235, 10)]);
  });
});

test('bad input is a typed error', () => {
  expect(() => psnr([1, 2], [1], { dataRange: 1 })).toThrow(WaveMixArgumentError);
  expect(() => psnr([1, 2], [1, 2], { dataRange: 0 })).toThrow(/dataRange/);
  expect(() => ssim(new Float64Array(100), new Float64Array(100), { dataRange: 1, shape: [10, 10] })).toThrow(
    /11 x 11/,
  );
  expect(() => ssim(new Float64Array(100), new Float64Array(100), { dataRange: 1 })).toThrow(/shape/);
  expect(() =>
    srMetrics(new Float64Array(12 * 12 * 3), new Float64Array(12 * 12 * 3), { scale: 6, shape: [12, 12, 3] }),
  ).toThrow(/crop/);
});
