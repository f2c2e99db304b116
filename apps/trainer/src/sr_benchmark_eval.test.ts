// --eval-benchmark in process: hand-computed PSNR for a model whose output is known, the same
// figures as srMetrics on the model's own outputs, the border crop, and the usage errors.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writePngFile } from '@wavemix/datasets/node';
import { srMetrics } from '@wavemix/metrics';
import { createModel, rgbToYCbCr, yCbCrToRgb, type WaveMixConfig } from '@wavemix/models';
import { UsageError } from './errors';
import { benchmarkRequest, evaluateBenchmark, parseBorderCrop } from './sr_benchmark_eval';

const SCALE = 2;
const SIZES: Array<[number, number]> = [
  [8, 12],
  [14, 8],
];

interface Written {
  lr: Uint8Array;
  hr: Uint8Array;
  height: number;
  width: number;
}

/**
 * A Set5 folder (GTmod12 layout) whose HR images are the nearest-neighbour 2x of their LR images,
 * except that pixel (1, 1) of each HR is 10 levels brighter in every channel.
 */
function writeSet5(dir: string): Written[] {
  return SIZES.map(([h, w], n) => {
    const lr = Uint8Array.from({ length: h * w * 3 }, (_, k) => (k * 37 + n * 19) % 200);
    const [height, width] = [h * SCALE, w * SCALE];
    const hr = new Uint8Array(height * width * 3);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        for (let c = 0; c < 3; c++)
          hr[(y * width + x) * 3 + c] = lr[((y >> 1) * w + (x >> 1)) * 3 + c]! + (y === 1 && x === 1 ? 10 : 0);
    writePngFile(join(dir, 'GTmod12', `img${n}.png`), hr, { width, height, channels: 3 });
    writePngFile(join(dir, `LRbicx${SCALE}`, `img${n}.png`), lr, { width: w, height: h, channels: 3 });
    return { lr, hr, height, width };
  });
}

/** A "model" that upsamples 2x by nearest neighbour, whatever the colour space. */
function nearestUpsampler(): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.upSampling2d({ size: [SCALE, SCALE], inputShape: [null, null, 3] })] });
}

const tinyV2: WaveMixConfig = { task: 'wavemix-sr-v2', scale: SCALE, blocks: 1, mult: 1, finalDim: 16, dropout: 0 };
const request = (extra: Record<string, unknown> = {}) => ({
  evalBenchmark: 'set5' as const,
  evalBenchmarkDir: dir,
  ...extra,
});

let dir: string;
let written: Written[];
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = join(mkdtempSync(join(tmpdir(), 'wavemix-bench-')), 'Set5');
  written = writeSet5(dir);
});

test('PSNR by hand: one pixel off by 10 levels in every channel, through the YCbCr round trip', async () => {
  const options = benchmarkRequest(request(), 'nearest', tinyV2)!;
  expect(options).toMatchObject({ benchmark: 'set5', modelScale: 2, ycbcr: true, borderCrop: 'none' });
  const result = await evaluateBenchmark(nearestUpsampler(), options);
  // Y (BT.601, 0..255) of a pixel changes by (65.481 + 128.553 + 24.966) * 10 / 255 = 2190 / 255.
  const dy = 2190 / 255;
  const byHand = SIZES.map(([h, w]) => 10 * Math.log10((255 * 255 * 4 * h * w) / (dy * dy)));
  expect(byHand.map((v) => v.toFixed(3))).toEqual(['55.296', '55.966']);
  result.psnrPerImage.forEach((psnr, i) => expect(psnr).toBeCloseTo(byHand[i]!, 3));
  expect(result.psnr).toBeCloseTo((byHand[0]! + byHand[1]!) / 2, 3);
  expect(result).toMatchObject({ name: 'set5', scale: 2, borderCrop: 0, images: 2 });
  expect(result.convention).toMatch(/no border crop/);
  // A 2-pixel border crop removes the pixel at (1, 1): the images are then equal but for the
  // float32 rounding of the YCbCr round trip (PSNR above 120 dB instead of infinite).
  const cropped = await evaluateBenchmark(nearestUpsampler(), { ...options, borderCrop: 'scale' });
  expect(cropped.borderCrop).toBe(2);
  expect(cropped.psnr).toBeGreaterThan(120);
  expect(cropped.ssim).toBeCloseTo(1, 10);
});

test('a WaveMixSR-V2 model: the figures equal srMetrics on its outputs, no tensor leaks', async () => {
  const model = createModel(tinyV2);
  const options = benchmarkRequest(request({ borderCrop: 1 }), 'tiny', tinyV2)!;
  await evaluateBenchmark(model, options); // kernels and weights set up once
  const before = tf.memory().numTensors;
  const result = await evaluateBenchmark(model, options);
  expect(tf.memory().numTensors).toBe(before);
  for (const [i, { lr, hr, height, width }] of written.entries()) {
    const sr = tf.tidy(() => {
      const rgb = tf.tensor4d(
        Float32Array.from(lr, (v) => v / 255),
        [1, height / 2, width / 2, 3],
      );
      const out = model.predict(rgbToYCbCr(rgb, 1)) as tf.Tensor;
      return tf.clipByValue(yCbCrToRgb(out, 1), 0, 1);
    });
    const expected = srMetrics(
      await sr.data(),
      Float32Array.from(hr, (v) => v / 255),
      {
        scale: 2,
        crop: 1,
        shape: [height, width, 3],
      },
    );
    sr.dispose();
    expect(result.psnrPerImage[i]).toBeCloseTo(expected.psnr, 6);
    expect(result.ssimPerImage[i]).toBeCloseTo(expected.ssim, 6);
  }
  expect(result.psnr).toBeLessThan(40); // an untrained model is far from the HR images
  model.dispose();
});

test('usage errors name the benchmark, the scales, the model and the folder', async () => {
  expect(benchmarkRequest({}, 'tiny', tinyV2)).toBeNull();
  expect(() => benchmarkRequest(request({ evalBenchmarkScale: 4 }), 'tiny', tinyV2)).toThrow(
    new UsageError('benchmark set5 at 4x cannot evaluate model tiny, which upscales 2x'),
  );
  expect(() => benchmarkRequest(request({ evalBenchmarkDir: undefined }), 'tiny', tinyV2)).toThrow(
    /--eval-benchmark set5 needs --eval-benchmark-dir/,
  );
  const classifier = { task: 'classification', numClasses: 10 } as WaveMixConfig;
  expect(() => benchmarkRequest(request(), 'mnist-net', classifier)).toThrow(
    /needs a super-resolution model; mnist-net is a classification model/,
  );
  const missing = benchmarkRequest(request({ evalBenchmarkDir: join(dir, 'nowhere') }), 'tiny', tinyV2)!;
  await expect(evaluateBenchmark(nearestUpsampler(), missing)).rejects.toThrow(UsageError);
  await expect(evaluateBenchmark(nearestUpsampler(), missing)).rejects.toThrow(join(dir, 'nowhere'));
  expect([parseBorderCrop('none'), parseBorderCrop('scale'), parseBorderCrop('4')]).toEqual(['none', 'scale', 4]);
  expect(() => parseBorderCrop('-1')).toThrow(/--border-crop must be none, scale or a non-negative integer, got '-1'/);
});
