/**
 * End to end (issue 15): the built `wavemix-train` (dist/cli.js) trains WaveMixSR-V2 at 4x a few
 * steps on a DIV2K-style folder, then scores its weights on the whole images of a Set5-style folder
 * (both written by @wavemix/datasets' writers); `--eval-only` re-scores with a border crop. The
 * figures must equal srMetrics on the exported model's own outputs, computed here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '@wavemix/kernels-wasm';
import { writePngFile } from '@wavemix/datasets/node';
import { srMetrics } from '@wavemix/metrics';
import { createModel, loadPyTorchWeights, rgbToYCbCr, yCbCrToRgb, type WaveMixConfig } from '@wavemix/models';
import type { FinalResult } from './final_result';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
jest.setTimeout(600_000);

const scratch = () => mkdtempSync(join(tmpdir(), 'wavemix-bench-e2e-'));

function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** A smooth RGB test image with some structure (so that PSNR is finite and varies between images). */
function pattern(h: number, w: number, seed: number): Uint8Array {
  const image = new Uint8Array(h * w * 3);
  for (let i = 0; i < h * w; i++) {
    const [y, x] = [Math.floor(i / w), i % w];
    image.set([(x * 5 + seed * 11) % 256, (y * 6 + seed * 7) % 256, ((x + y) * 3 + seed) % 256], i * 3);
  }
  return image;
}

interface Pair {
  lr: Uint8Array;
  hr: Uint8Array;
  height: number;
  width: number;
}

/** Set5 in the GTmod12 layout at 4x: three HR images and their 4x-subsampled LR images. */
function writeSet5(dir: string): Pair[] {
  const sizes: Array<[number, number]> = [
    [48, 32],
    [32, 48],
    [44, 44],
  ];
  return sizes.map(([height, width], n) => {
    const hr = pattern(height, width, n + 3);
    const [h, w] = [height / 4, width / 4];
    const lr = new Uint8Array(h * w * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        lr.set(hr.subarray((y * 4 * width + x * 4) * 3, (y * 4 * width + x * 4) * 3 + 3), (y * w + x) * 3);
    writePngFile(join(dir, 'GTmod12', `img${n}.png`), hr, { width, height, channels: 3 });
    writePngFile(join(dir, 'LRbicx4', `img${n}.png`), lr, { width: w, height: h, channels: 3 });
    return { lr, hr, height, width };
  });
}

/** srMetrics on the outputs of the run's exported weights: LR -> YCbCr -> model -> RGB, clipped. */
async function independentFigures(run: string, set: Pair[], crop: number) {
  const { modelConfig } = readJson<{ modelConfig: WaveMixConfig }>(join(run, 'config.json'));
  const model = createModel(modelConfig);
  loadPyTorchWeights(model, new Uint8Array(readFileSync(join(run, 'model.safetensors'))));
  const figures = [];
  for (const { lr, hr, height, width } of set) {
    const sr = tf.tidy(() => {
      const rgb = tf.tensor4d(
        Float32Array.from(lr, (v) => v / 255),
        [1, height / 4, width / 4, 3],
      );
      return tf.clipByValue(yCbCrToRgb(model.predict(rgbToYCbCr(rgb, 1)) as tf.Tensor, 1), 0, 1);
    });
    const hrFloat = Float32Array.from(hr, (v) => v / 255);
    figures.push(srMetrics(await sr.data(), hrFloat, { scale: 4, crop, shape: [height, width, 3] }));
    sr.dispose();
  }
  model.dispose();
  return figures;
}

// The run and the figures here on the same backend (wasm: the cpu backend takes minutes for this model).
beforeAll(async () => {
  await tf.setBackend('wasm');
});

test('wavemix-train --eval-benchmark set5: whole-image PSNR/SSIM after training and with --eval-only', async () => {
  const data = scratch();
  for (const [split, first] of [
    ['train', 0],
    ['valid', 800],
  ] as const)
    for (let i = first; i < first + 2; i++)
      writePngFile(join(data, `DIV2K_${split}_HR`, `${String(i).padStart(4, '0')}.png`), pattern(48, 64, i), {
        width: 64,
        height: 48,
        channels: 3,
      });
  const set5 = join(scratch(), 'Set5');
  const set = writeSet5(set5);
  const config = join(data, 'run.json');
  writeFileSync(config, JSON.stringify({ datasetOptions: { patchSize: 32 } }));
  const run = scratch();
  const common = ['--backend', 'wasm', '--workers', '0'];
  const trained = await cli([
    ...['--config', config, '--model', 'wavemixsr-v2-144-2-x4', '--dataset', 'div2k', '--data-dir', data],
    ...['--epochs', '1', '--batch-size', '1', '--opt', 'lion', '--lr', '0.0001', '--loss', 'huber'],
    ...['--val-fraction', '0', '--output', run, '--eval-benchmark', 'set5', '--eval-benchmark-dir', set5],
    ...common,
  ]);
  expect([trained.code, trained.code === 0 ? '' : trained.output]).toEqual([0, '']);
  const final = readJson<FinalResult>(join(run, 'final.json'));
  expect(final).toMatchObject({ steps: 2, trainableParams: 1_561_970 });
  const expected = await independentFigures(run, set, 0);
  const benchmark = final.benchmark!;
  expect(benchmark).toMatchObject({ name: 'set5', scale: 4, borderCrop: 0, images: 3 });
  expect(benchmark.convention).toMatch(/no border crop/);
  expected.forEach(({ psnr, ssim }, i) => {
    expect(benchmark.psnrPerImage[i]).toBeCloseTo(psnr, 6);
    expect(benchmark.ssimPerImage[i]).toBeCloseTo(ssim, 6);
  });
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  expect(benchmark.psnr).toBeCloseTo(mean(expected.map((f) => f.psnr)), 6);
  expect(benchmark.ssim).toBeCloseTo(mean(expected.map((f) => f.ssim)), 6);
  expect(trained.output).toContain(`set5 x4 (3 images): PSNR ${benchmark.psnr.toFixed(2)} dB`);
  expect(readFileSync(join(run, 'report.md'), 'utf8')).toContain(
    `| **mean** | **${benchmark.psnr.toFixed(4)}** | **${benchmark.ssim.toFixed(4)}** |`,
  );

  // --eval-only on the same weights, 4 pixels cut from each border.
  const again = await cli(['--resume', run, '--eval-only', '--border-crop', 'scale', ...common]);
  expect([again.code, again.code === 0 ? '' : again.output]).toEqual([0, '']);
  const evalOnly = readJson<FinalResult>(join(run, 'final.json'));
  expect(evalOnly.stoppedBy).toBe('eval-only');
  const cropped = evalOnly.benchmark!;
  expect(cropped).toMatchObject({ name: 'set5', scale: 4, borderCrop: 4, images: 3 });
  const expectedCropped = await independentFigures(run, set, 4);
  expectedCropped.forEach(({ psnr }, i) => expect(cropped.psnrPerImage[i]).toBeCloseTo(psnr, 6));
  expect(cropped.psnr).not.toBeCloseTo(benchmark.psnr, 3);

  // A benchmark at another scale than the model's is a usage error naming both.
  const wrongScale = await cli(['--resume', run, '--eval-only', '--eval-benchmark-scale', '2', ...common]);
  expect(wrongScale.code).toBe(2);
  expect(wrongScale.output).toContain(
    'benchmark set5 at 2x cannot evaluate model wavemixsr-v2-144-2-x4, which upscales 4x',
  );
});
