// Super-resolution readers at x2/x3/x4 (benchmark sets in their three layouts, DIV2K in two) and
// whole-image evaluation, on folders written by our own writers.
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { srMetrics } from '@wavemix/metrics';
import {
  DatasetArgumentError,
  DatasetFormatError,
  DatasetNotFoundError,
  evaluateSuperResolution,
  InMemoryDataset,
  type Dataset,
} from '@wavemix/datasets';
import { loadDataset, writePngFile } from '@wavemix/datasets/node';
import * as fx from './testing/fixtures';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wavemix-sr-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(['gtmod12', 'srf', 'edsr'] as const)('benchmark layout %s', (layout) => {
  test.each([2, 3, 4])('x%i: whole LR and HR images, in name order', async (scale) => {
    const parent = join(root, `${layout}-x${scale}`);
    const written = fx.writeSrBenchmark(join(parent, 'Set14'), layout, scale);
    const ds = await loadDataset('set14', { dataDir: parent, scale });
    expect([ds.name, ds.split, ds.task, ds.scale, ds.size, ds.imageShape]).toEqual([
      'set14',
      'test',
      'super-resolution',
      scale,
      3,
      null,
    ]);
    for (let i = 0; i < 3; i++) {
      const { hr, lr, height, width } = written[i]!;
      const pair = await ds.read([i]);
      expect([pair.imageShape, pair.targetShape]).toEqual([
        [height / scale, width / scale, 3],
        [height, width, 3],
      ]);
      expect(Buffer.from(pair.images).equals(Buffer.from(lr))).toBe(true);
      expect(Buffer.from(pair.targets!).equals(Buffer.from(hr))).toBe(true);
    }
  });
});

test('set folders by their usual names, given directly or by their parent; aliases', async () => {
  const parent = join(root, 'benchmark');
  const bsd = fx.writeSrBenchmark(join(parent, 'B100'), 'edsr', 4);
  fx.writeSrBenchmark(join(parent, 'Urban100'), 'srf', 2);
  const b100 = await loadDataset('b100', { dataDir: parent, scale: 4 });
  expect([b100.name, b100.size]).toEqual(['bsd100', 3]);
  expect(Buffer.from((await b100.read([2])).targets!).equals(Buffer.from(bsd[2]!.hr))).toBe(true);
  const urban = await loadDataset('urban100', { dataDir: join(parent, 'Urban100') });
  expect([urban.name, urban.scale, urban.size]).toEqual(['urban100', 2, 3]);
  // The layout can be forced; a layout that is not there names the folder it looked for.
  await expect(loadDataset('urban100', { dataDir: parent, layout: 'gtmod12' })).rejects.toThrow(DatasetNotFoundError);
  await expect(loadDataset('urban100', { dataDir: parent, layout: 'gtmod12' })).rejects.toThrow(
    join(parent, 'Urban100', 'GTmod12'),
  );
});

test('missing or wrong LR files and bad options are typed errors', async () => {
  const dir = join(root, 'broken', 'Set5');
  const written = fx.writeSrBenchmark(dir, 'gtmod12', 3);
  const ds = await loadDataset('set5', { dataDir: dir, scale: 3 });
  // An LR image of the wrong size (HR / 2 instead of HR / 3) is refused at the LR file.
  const wrong = join(dir, 'LRbicx3', 'bird.png');
  writePngFile(wrong, fx.subsample(written[1]!.hr, 36, 24, 2), { width: 12, height: 18, channels: 3 });
  const error = await ds.read([1]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatasetFormatError);
  expect(error).toMatchObject({ file: wrong, expected: 'an LR image of 8 x 12 (HR / 3)', found: '12 x 18' });
  unlinkSync(join(dir, 'LRbicx3', 'head.png'));
  await expect(ds.read([2])).rejects.toThrow(DatasetNotFoundError);
  // No LR at all for x4: benchmark figures need the published LR, so no bicubic stand-in.
  await expect((await loadDataset('set5', { dataDir: dir, scale: 4 })).read([0])).rejects.toThrow(
    join(dir, 'LRbicx4', 'baby.png'),
  );
  await expect(loadDataset('set5', { dataDir: dir, split: 'train' as never })).rejects.toThrow(DatasetArgumentError);
  await expect(loadDataset('set5', { dataDir: dir, scale: 1 })).rejects.toThrow(/scale/);
  await expect(loadDataset('set5', { dataDir: join(root, 'nowhere') })).rejects.toThrow(DatasetArgumentError);
  await expect(loadDataset('set5', { dataDir: root })).rejects.toThrow(/GTmod12, .*image_SRF_2, .*HR/);
});

describe('DIV2K at x3 and x4', () => {
  test.each([
    [3, false],
    [4, true],
  ])(
    'x%i (zip layout %s): HR cropped to a multiple of the scale, LR aligned, patches at LR = HR / scale',
    async (scale, zipLayout) => {
      const dir = join(root, `div2k-x${scale}`);
      const hrs = fx.writeDiv2k(dir, true, scale, zipLayout);
      const whole = await loadDataset('div2k', { dataDir: dir, scale });
      const one = await whole.read([0]);
      const [h, w] = [16 - (16 % scale), 20 - (20 % scale)];
      expect([one.imageShape, one.targetShape]).toEqual([
        [h / scale, w / scale, 3],
        [h, w, 3],
      ]);
      // HR cropped at the bottom and right: row y of the crop is row y of the written image.
      for (let y = 0; y < h; y++)
        expect(
          Buffer.from(one.targets!.subarray(y * w * 3, (y + 1) * w * 3)).equals(
            Buffer.from(hrs[0]!.subarray(y * 20 * 3, (y * 20 + w) * 3)),
          ),
        ).toBe(true);
      const patches = await loadDataset('div2k', { dataDir: dir, scale, patchSize: 2 * scale });
      expect([patches.imageShape, patches.targetShape]).toEqual([
        [2, 2, 3],
        [2 * scale, 2 * scale, 3],
      ]);
      const batch = await patches.read([0, 1], Uint32Array.of(5, 9));
      const p = 2 * scale;
      for (let n = 0; n < 2; n++) {
        const lr = batch.images.subarray(n * 12, (n + 1) * 12);
        const hr = batch.targets!.subarray(n * p * p * 3, (n + 1) * p * p * 3);
        for (let y = 0; y < 2; y++)
          for (let x = 0; x < 2; x++)
            for (let c = 0; c < 3; c++) expect(lr[(y * 2 + x) * 3 + c]).toBe(hr[(scale * y * p + scale * x) * 3 + c]);
      }
      await expect(loadDataset('div2k', { dataDir: dir, scale, patchSize: 2 * scale + 1 })).rejects.toThrow(
        /multiple of the scale/,
      );
    },
  );
});

describe('whole-image evaluation', () => {
  // HR with values 0..199: adding 10 to every channel of a pixel changes its Y (BT.601, 0..255) by
  // (65.481 + 128.553 + 24.966) * 10 / 255 = 2190 / 255 exactly.
  const dy = 2190 / 255;

  async function perturbedUpscaler(set: fx.SrBenchmarkFixtureImage[]) {
    let index = 0;
    return (lr: tf.Tensor4D) => {
      const { hr, height, width } = set[index++]!;
      expect(lr.shape).toEqual([1, height / 4, width / 4, 3]);
      const out = Float32Array.from(hr, (v) => v / 255);
      // The top row (inside any border crop) and the centre pixel (outside it) are off by 10 levels.
      for (let k = 0; k < width * 3; k++) out[k] = (hr[k]! + 10) / 255;
      const centre = ((height / 2) * width + width / 2) * 3;
      for (let c = 0; c < 3; c++) out[centre + c] = (hr[centre + c]! + 10) / 255;
      return tf.tensor4d(out, [1, height, width, 3]);
    };
  }

  test('PSNR on Y over the whole image or without a border of `scale` pixels', async () => {
    const dir = join(root, 'eval', 'Set5');
    const set = fx.writeSrBenchmark(dir, 'gtmod12', 4);
    const ds = await loadDataset('set5', { dataDir: dir, scale: 4 });
    const before = tf.memory().numTensors;
    const whole = await evaluateSuperResolution(ds, await perturbedUpscaler(set), {
      borderCrop: 'none',
      measure: srMetrics,
    });
    const cropped = await evaluateSuperResolution(ds, await perturbedUpscaler(set), {
      borderCrop: 'scale',
      measure: srMetrics,
    });
    expect(tf.memory().numTensors).toBe(before);
    set.forEach(({ height, width }, i) => {
      // (width + 1) pixels off among height * width; with the crop, 1 among (height - 8) * (width - 8)
      // (to 1e-5 dB: the images pass through float32).
      expect(whole.psnrPerImage[i]).toBeCloseTo(
        10 * Math.log10((255 * 255 * height * width) / ((width + 1) * dy * dy)),
        5,
      );
      expect(cropped.psnrPerImage[i]).toBeCloseTo(
        10 * Math.log10((255 * 255 * (height - 8) * (width - 8)) / (dy * dy)),
        5,
      );
      expect(whole.ssimPerImage[i]).toBeLessThan(1);
      // SSIM with the crop = SSIM of the images with their 4-pixel borders cut off by hand.
      const { hr } = set[i]!;
      const centre = ((height / 2) * width + width / 2) * 3;
      const sr = Float32Array.from(hr, (v, k) => (k < width * 3 || (k >= centre && k < centre + 3) ? v + 10 : v) / 255);
      const inner = (image: ArrayLike<number>) =>
        Float32Array.from(
          { length: (height - 8) * (width - 8) * 3 },
          (_, k) =>
            image[
              ((Math.floor(k / ((width - 8) * 3)) + 4) * width + (Math.floor(k / 3) % (width - 8)) + 4) * 3 + (k % 3)
            ]!,
        );
      const byHand = srMetrics(inner(sr), inner(Float32Array.from(hr, (v) => v / 255)), {
        scale: 4,
        crop: 0,
        shape: [height - 8, width - 8, 3],
      });
      expect(cropped.ssimPerImage[i]).toBeCloseTo(byHand.ssim, 6);
      expect(cropped.ssimPerImage[i]).not.toBeCloseTo(whole.ssimPerImage[i]!, 6);
    });
    expect(whole.psnr).toBeCloseTo((whole.psnrPerImage[0]! + whole.psnrPerImage[1]! + whole.psnrPerImage[2]!) / 3, 12);
    expect([whole.crop, cropped.crop, whole.scale]).toEqual([0, 4, 4]);
    expect(whole.convention).toMatch(/no border crop \(official WaveMixSR/);
    expect(cropped.convention).toMatch(/^4 px .*= scale/);
  });

  test('quantize to 8-bit levels; wrong output shapes and non-SR datasets are argument errors', async () => {
    const dir = join(root, 'eval2', 'Set5');
    const set = fx.writeSrBenchmark(dir, 'edsr', 2);
    const ds: Dataset = await loadDataset('set5', { dataDir: dir, scale: 2 });
    // Nearest-neighbour upscaling reproduces HR exactly where LR was sampled; +0.5/255 and over-range values test clip/quantize.
    const exact = (i: number) => Float32Array.from(set[i]!.hr, (v) => (v + 0.4) / 255);
    let i = 0;
    const rounded = await evaluateSuperResolution(
      ds,
      () => tf.tensor4d(exact(i++), [1, set[i - 1]!.height, set[i - 1]!.width, 3]),
      { borderCrop: 0, measure: srMetrics, quantize: true },
    );
    expect(rounded.psnrPerImage).toEqual([Infinity, Infinity, Infinity]);
    await expect(
      evaluateSuperResolution(ds, (lr) => tf.clone(lr), { borderCrop: 'none', measure: srMetrics }),
    ).rejects.toThrow(/expected an output of shape \[1,24,36,3\] for LR \[1, 12, 18, 3\], got \[1,12,18,3\]/);
    await expect(
      evaluateSuperResolution(ds, (lr) => tf.clone(lr), { borderCrop: -1, measure: srMetrics }),
    ).rejects.toThrow(DatasetArgumentError);
    const mnistLike = new InMemoryDataset({
      name: 'x',
      split: 'test',
      task: 'classification',
      imageShape: [2, 2, 1],
      images: new Uint8Array(4),
      labels: Int32Array.of(0),
      numClasses: 1,
      classNames: ['a'],
      mean: [0],
      std: [1],
    });
    await expect(
      evaluateSuperResolution(mnistLike, (lr) => lr, { borderCrop: 'none', measure: srMetrics }),
    ).rejects.toThrow(/classification dataset/);
    expect(tf.memory().numTensors).toBe(0);
  });
});
