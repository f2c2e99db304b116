/**
 * End-to-end tests of the built `wavemix-train` (dist/cli.js; turbo builds it before this package's
 * tests): real runs on the bundled MNIST and on small Cityscapes- and DIV2K-style folders written
 * with @wavemix/datasets' writers. Covers outputs, reproducibility, kill -9 + resume, SIGINT,
 * divergence, refused resumes, and the segmentation and super-resolution tasks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '@wavemix/kernels-wasm';
import { readSafetensors } from '@wavemix/core';
import { loadDataset, writePngFile } from '@wavemix/datasets/node';
import { createModel, getWaveMixMetadata, load, loadPyTorchWeights } from '@wavemix/models';
import { fileSystem } from '@wavemix/models/node';
import { CHECKPOINT_FORMAT, readCheckpoint, restoreModelWeights, type TrainState } from './checkpoint';
import { buildConfig } from './config';
import { loadTrainerDataset } from './data';
import { evaluate } from './evaluate';
import { runSplits } from './model_setup';
import type { FinalResult } from './final_result';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
jest.setTimeout(240_000);

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function start(args: string[], script = CLI): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const done = new Promise<Result>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, output })));
  return { child, done };
}

const train = (...args: string[]) => start(args).done;

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function checkpointState(run: string): TrainState | null {
  const file = join(run, 'checkpoints', 'last.safetensors');
  if (!existsSync(file)) return null;
  const metadata = readSafetensors(new Uint8Array(readFileSync(file))).metadata;
  expect(metadata['format']).toBe(CHECKPOINT_FORMAT);
  return JSON.parse(metadata['state']!) as TrainState;
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const scratch = () => mkdtempSync(join(tmpdir(), 'wavemix-train-'));

test('the installed command (bin/wavemix-train.mjs, linked by npm before any build) runs the CLI', async () => {
  const result = await start(['--list-presets'], join(__dirname, '..', 'bin', 'wavemix-train.mjs')).done;
  expect(result).toMatchObject({ code: 0, output: expect.stringMatching(/^mnist-quick .*\nmnist /m) });
});

// A small MNIST run: the mnist-quick model on 1,536 training and 500 test images, 3 epochs.
const MNIST_RUN = [
  '--preset',
  'mnist-quick',
  '--limit-train',
  '1536',
  '--limit-test',
  '500',
  '--epochs',
  '3',
  '--val-fraction',
  '0.1',
  '--time-limit',
  '30',
  '--log-every',
  '10',
  '--seed',
  '5',
];

describe('classification on the bundled MNIST', () => {
  let reference: string;
  let referenceFinal: FinalResult;

  beforeAll(async () => {
    reference = scratch();
    const result = await train(...MNIST_RUN, '--output', reference);
    expect(result).toMatchObject({ code: 0 });
    referenceFinal = readJson<FinalResult>(join(reference, 'final.json'));
  });

  test('final.json, metrics.jsonl and the report describe the run', () => {
    expect(referenceFinal).toMatchObject({
      model: 'custom-classification',
      dataset: 'mnist',
      task: 'classification',
      backend: 'wasm',
      seed: 5,
      // The mnist-quick model, pachify P2, 24/2, 1 input channel, by specification §6: stem 1,944
      // + 2 blocks of 11,814 + head 250.
      epochs: 3,
      stoppedBy: 'epochs',
      trainableParams: 25822,
      testExamples: 500,
    });
    // 1,382 training images for 3 short epochs learn a good part of MNIST (chance is 0.1).
    expect(referenceFinal.testAccuracy).toBeGreaterThan(0.4);
    expect(referenceFinal.testTop5Accuracy!).toBeGreaterThanOrEqual(referenceFinal.testAccuracy!);
    const records = readFileSync(join(reference, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const epochs = records.filter((r) => r.type === 'epoch');
    expect(epochs.map((r) => r.epoch)).toEqual([1, 2, 3]);
    for (const r of epochs)
      expect(r).toEqual(expect.objectContaining({ trainLoss: expect.any(Number), valAccuracy: expect.any(Number) }));
    expect(epochs[2].trainLoss).toBeLessThan(epochs[0].trainLoss);
    expect(records.filter((r) => r.type === 'step').length).toBeGreaterThanOrEqual(6);
    expect(records.filter((r) => r.type === 'test')).toHaveLength(1);
    const report = readJson<{ confusionMatrix: number[][]; perClassAccuracy: number[]; worst: unknown[] }>(
      join(reference, 'report.json'),
    );
    expect(report.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(500);
    const correct = report.confusionMatrix.reduce((sum, row, i) => sum + row[i]!, 0);
    expect(correct / 500).toBeCloseTo(referenceFinal.testAccuracy!, 10);
    expect(report.perClassAccuracy).toHaveLength(10);
    expect(report.worst.length).toBeGreaterThan(0);
    expect(existsSync(join(reference, 'worst.png'))).toBe(true);
    expect(readFileSync(join(reference, 'report.md'), 'utf8')).toMatch(/Confusion matrix/);
  });

  test('the tfjs and PyTorch exports load back and reproduce the reported test accuracy', async () => {
    await tf.setBackend('wasm');
    const tfjsModel = await tf.loadLayersModel(fileSystem(join(reference, 'model')));
    const { preprocessing, classNames, ...config } = readJson<Record<string, unknown>>(
      join(reference, 'model-config.json'),
    );
    const torchModel = createModel(config as never, {
      preprocessing: preprocessing as never,
      classNames: classNames as never,
    });
    loadPyTorchWeights(torchModel, new Uint8Array(readFileSync(join(reference, 'model.safetensors'))));
    const test = await loadDataset('mnist', { split: 'test' });
    const { images, labels } = await test.read(Int32Array.from({ length: 500 }, (_, i) => i));
    const x = tf.tidy(() =>
      tf.div(tf.sub(tf.div(tf.tensor4d(images, [500, 28, 28, 1], 'float32'), 255), test.mean[0]!), test.std[0]!),
    );
    const [a, b] = [tfjsModel, torchModel].map((m) => m.predict(x) as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(a!, b!))).dataSync()[0]).toBeLessThan(1e-4);
    const predicted = tf.argMax(a!, 1).dataSync();
    const accuracy = Array.from(predicted).filter((p, i) => p === labels![i]).length / 500;
    expect(accuracy).toBeCloseTo(referenceFinal.testAccuracy!, 10);

    // The export carries the training normalisation and class names, so the inference API
    // classifies raw pixels exactly as the trainer's test did.
    expect(getWaveMixMetadata(tfjsModel)).toMatchObject({
      preprocessing: { mean: [test.mean[0]], std: [test.std[0]] },
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    });
    // model-config.json carries them too (the PyTorch route).
    const { preprocessing: trained, classNames: names } = getWaveMixMetadata(tfjsModel)!;
    expect(getWaveMixMetadata(torchModel)).toMatchObject({ preprocessing: trained, classNames: names });
    const classifier = await load(fileSystem(join(reference, 'model')));
    for (let i = 0; i < 8; i++) {
      const [top] = await classifier.classify(
        { data: images.subarray(i * 784, (i + 1) * 784), width: 28, height: 28, channels: 1 },
        1,
      );
      expect(top!.className).toBe(String(predicted[i]));
    }
    classifier.dispose();
  });

  test('--eval-only re-tests a finished run with its best weights, without training', async () => {
    const steps = readFileSync(join(reference, 'metrics.jsonl'), 'utf8').split('\n').length;
    const result = await train('--resume', reference, '--eval-only');
    expect(result.code).toBe(0);
    const final = readJson<FinalResult>(join(reference, 'final.json'));
    expect(final).toMatchObject({ stoppedBy: 'eval-only', epochs: 3, testAccuracy: referenceFinal.testAccuracy });
    // Only the test record was added.
    expect(readFileSync(join(reference, 'metrics.jsonl'), 'utf8').split('\n').length).toBe(steps + 1);
  });

  test("--test-weights last tests the last checkpoint's weights and says so in final.json", async () => {
    expect(referenceFinal.testWeights).toBe('best');
    const run = scratch();
    cpSync(reference, run, { recursive: true });
    const result = await train('--resume', run, '--eval-only', '--test-weights', 'last');
    expect(result.code).toBe(0);
    const final = readJson<FinalResult>(join(run, 'final.json'));
    expect(final.testWeights).toBe('last');
    // The same test set scored here on the last checkpoint's weights, outside the trainer's run.
    const { modelConfig, trainableParams: _, ...saved } = readJson<Record<string, unknown>>(join(run, 'config.json'));
    const config = buildConfig([{ source: 'config.json', values: saved }]);
    await tf.setBackend('wasm');
    const model = createModel(modelConfig as never);
    restoreModelWeights(model, readCheckpoint(join(run, 'checkpoints', 'last.safetensors')).model, 'last');
    const testData = await loadTrainerDataset(config, 'test');
    const { testSet } = runSplits(config, testData, testData);
    const expected = await evaluate(model, testSet, {
      task: 'classification',
      batchSize: 64,
      ignoreIndex: undefined,
      ycbcr: false,
      worst: 0,
      seed: 0,
    });
    model.dispose();
    expect(final.testAccuracy).toBe(expected.metrics.accuracy);
  });

  test('dualopt: AdamW until patience runs out, best weights reloaded, then SGD until it runs out again', async () => {
    const run = scratch();
    // A learning rate too small to change the validation accuracy makes every epoch "no improvement".
    const result = await train(
      ...MNIST_RUN,
      '--output',
      run,
      '--opt',
      'dualopt',
      '--patience',
      '1',
      '--lr',
      '1e-12',
      '--epochs',
      '6',
    );
    expect(result.code).toBe(0);
    expect(result.output).toMatch(
      /dualopt: no improvement for 1 epochs; best weights reloaded, switching to SGD[\s\S]*early stopping: no improvement for 1 epochs/,
    );
    const epochs = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'epoch');
    // BatchNorm statistics still move in the first epochs, so the AdamW phase may last a few.
    const phases = epochs.map((r) => r.phase).join(',');
    expect(phases).toMatch(/^(adamw,)+sgd(,sgd)*$/);
    const switchedAfter = phases.split(',').lastIndexOf('adamw') + 1;
    const final = readJson<FinalResult>(join(run, 'final.json'));
    expect(final).toMatchObject({ stoppedBy: 'early-stopping', epochs: epochs.length });
    expect(final.epochs).toBeLessThan(6);
    expect(final.bestEpoch).toBeLessThanOrEqual(switchedAfter);
  });

  test('the same seed gives the same run', async () => {
    const again = scratch();
    expect(await train(...MNIST_RUN, '--output', again)).toMatchObject({ code: 0 });
    const final = readJson<FinalResult>(join(again, 'final.json'));
    expect(final.testAccuracy).toBe(referenceFinal.testAccuracy);
    expect(final.bestValidationMetric).toBe(referenceFinal.bestValidationMetric);
  });

  test('kill -9 mid-training, then --resume: it completes like the uninterrupted run', async () => {
    const run = scratch();
    const { child, done } = start([...MNIST_RUN, '--output', run, '--checkpoint-every', '0.5']);
    // Wait for a mid-epoch checkpoint of the second epoch, then kill without warning.
    await waitFor(() => {
      const state = checkpointState(run);
      return state !== null && state.epoch >= 1 && (state.pipeline?.position ?? 0) > 0;
    }, 'a mid-epoch checkpoint');
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const killedAt = checkpointState(run)!;
    expect(killedAt.finished).toBe(false);
    // A crash mid-write leaves a torn line; steps logged after the checkpoint are trained again.
    writeFileSync(join(run, 'metrics.jsonl'), `${readFileSync(join(run, 'metrics.jsonl'), 'utf8')}{"time":"2026-`);

    const resumed = await train('--resume', run);
    expect(resumed.output).toMatch(new RegExp(`resuming .* at epoch ${killedAt.epoch + 1}, step ${killedAt.step}`));
    expect(resumed.output).toMatch(/metrics\.jsonl: cut a torn last line \(\d+ bytes without a newline\)/);
    expect(resumed.code).toBe(0);
    // Every line is a record again, and no step or epoch is recorded twice.
    const records = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const steps = records.filter((r) => r.type === 'step').map((r) => r.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(steps.length);
    expect(records.filter((r) => r.type === 'epoch').map((r) => r.epoch)).toEqual([1, 2, 3]);
    const final = readJson<FinalResult>(join(run, 'final.json'));
    expect(final.epochs).toBe(3);
    // Same data order, same dropout stream, exact weights and optimizer state: within noise (in
    // practice identical) of the uninterrupted run.
    expect(Math.abs(final.testAccuracy! - referenceFinal.testAccuracy!)).toBeLessThanOrEqual(0.02);
  });

  test('SIGINT saves a checkpoint and exits 130; a changed config is refused on resume, naming the change', async () => {
    const run = scratch();
    const { child, done } = start([...MNIST_RUN, '--output', run]);
    await waitFor(
      () =>
        existsSync(join(run, 'metrics.jsonl')) &&
        readFileSync(join(run, 'metrics.jsonl'), 'utf8').includes('"type":"step"'),
      'training steps',
    );
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.output).toMatch(/checkpoint saved to .*last\.safetensors/);
    const state = checkpointState(run)!;
    expect(state.step).toBeGreaterThan(0);
    expect(state.finished).toBe(false);

    const refused = await train('--resume', run, '--lr', '0.5');
    expect(refused.code).toBe(2);
    expect(refused.output).toMatch(
      /the configuration differs from the checkpoint's:\s+lr: checkpoint has 0\.003, now 0\.5/,
    );
    expect(await train('--resume', run)).toMatchObject({ code: 0 });
  });

  test('a diverging run stops with the step named and keeps the last good checkpoint', async () => {
    const run = scratch();
    const result = await train(...MNIST_RUN, '--output', run, '--opt', 'sgd', '--lr', '1e30', '--sched', 'none');
    expect(result.code).toBe(3);
    expect(result.output).toMatch(
      /training diverged: .*(loss became (NaN|Infinity|-Infinity) at step \d+|became non-finite by step \d+)/,
    );
    const state = checkpointState(run)!;
    expect(state.finished).toBe(false);
    const weights = readSafetensors(new Uint8Array(readFileSync(join(run, 'checkpoints', 'last.safetensors'))));
    for (const [name, tensor] of weights.tensors) {
      if (!name.startsWith('model/')) continue;
      const values = new Float32Array(tensor.bytes.slice().buffer);
      expect(values.every(Number.isFinite)).toBe(true);
    }
  });
});

/** A Cityscapes-style folder (8 train, 3 val images of 32x64) and a run config for it. */
function cityscapesRun(): string {
  const data = scratch();
  // Label ids 7 (road, train id 0), 26 (car, 13), 0 (unlabeled, ignored); colour follows label.
  const colours: Record<number, [number, number, number]> = { 7: [128, 64, 128], 26: [0, 0, 142], 0: [0, 0, 0] };
  const write = (split: string, index: number) => {
    const [h, w] = [32, 64];
    const label = new Uint8Array(h * w);
    const image = new Uint8Array(h * w * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const id = y < 4 ? 0 : (x + index * 7) % 64 < 32 ? 7 : 26;
        label[y * w + x] = id;
        image.set(
          colours[id]!.map((c) => Math.min(255, c + ((x * y + index) % 9))),
          (y * w + x) * 3,
        );
      }
    }
    const stem = `city_${String(index).padStart(6, '0')}_000019`;
    writePngFile(join(data, 'leftImg8bit', split, 'city', `${stem}_leftImg8bit.png`), image, {
      width: w,
      height: h,
      channels: 3,
    });
    writePngFile(join(data, 'gtFine', split, 'city', `${stem}_gtFine_labelIds.png`), label, {
      width: w,
      height: h,
      channels: 1,
    });
  };
  for (let i = 0; i < 8; i++) write('train', i);
  for (let i = 0; i < 3; i++) write('val', 100 + i);
  const config = join(data, 'run.json');
  writeFileSync(
    config,
    JSON.stringify({
      model: { task: 'segmentation', depth: 1, mult: 2, ffChannel: 8, finalDim: 8, dropout: 0, level: 2, stride: 2 },
      dataset: 'cityscapes',
      dataDir: data,
      datasetOptions: { imageSize: [32, 64] },
      epochs: 10,
      batchSize: 4,
      lr: 0.01,
      valFraction: 0.25,
    }),
  );
  return config;
}

describe('segmentation and super-resolution train end to end on small fixture folders', () => {
  test('segmentation on a Cityscapes-style folder reports mean IoU', async () => {
    const config = cityscapesRun();
    const run = scratch();
    const result = await train('--config', config, '--output', run);
    expect(result.code).toBe(0);
    const final = readJson<FinalResult>(join(run, 'final.json'));
    expect(final).toMatchObject({ task: 'segmentation', dataset: 'cityscapes', testExamples: 3 });
    expect(final.meanIoU).toBeGreaterThan(0);
    expect(final.meanIoU).toBeLessThanOrEqual(1);
    expect(final.pixelAccuracy).toBeGreaterThan(0);
    const report = readJson<{ perClassIoU: number[]; confusionMatrix: number[][] }>(join(run, 'report.json'));
    expect(report.confusionMatrix).toHaveLength(19);
    // Ignored pixels (the top 4 rows) are not counted: 3 images x 28 rows x 64 columns.
    expect(report.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(3 * 28 * 64);
  });

  test('segmentation trains data-parallel (ignore index across shards): --workers 1', async () => {
    const run = scratch();
    const result = await train('--config', cityscapesRun(), '--output', run, '--workers', '1', '--backend', 'wasm');
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/training on 2 threads \(data parallel, 1 worker\)/);
    const final = readJson<FinalResult>(join(run, 'final.json'));
    expect(final).toMatchObject({ task: 'segmentation', workers: 1, epochs: 10, testExamples: 3 });
    expect(final.meanIoU).toBeGreaterThan(0);
    expect(final.meanIoU).toBeLessThanOrEqual(1);
    // Train accuracy counts labelled pixels only (the top 4 rows are void), so it stays a fraction.
    const epochs = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'epoch');
    for (const r of epochs) expect(r.trainAccuracy).toBeGreaterThanOrEqual(0);
    for (const r of epochs) expect(r.trainAccuracy).toBeLessThanOrEqual(1);
    expect(epochs.at(-1).trainAccuracy).toBeGreaterThan(0);
    expect(epochs.at(-1).trainLoss).toBeLessThan(epochs[0].trainLoss);
  });

  test('WaveMixSR on a DIV2K-style folder reports PSNR and SSIM', async () => {
    const data = scratch();
    const write = (split: string, index: number) => {
      const [h, w] = [40, 48];
      const image = new Uint8Array(h * w * 3);
      for (let i = 0; i < h * w; i++) {
        const [y, x] = [Math.floor(i / w), i % w];
        image.set([(x * 5 + index * 11) % 256, (y * 6) % 256, ((x + y) * 3) % 256], i * 3);
      }
      writePngFile(join(data, `DIV2K_${split}_HR`, `${String(index).padStart(4, '0')}.png`), image, {
        width: w,
        height: h,
        channels: 3,
      });
    };
    for (let i = 0; i < 6; i++) write('train', i);
    for (let i = 0; i < 2; i++) write('valid', 800 + i);
    const config = join(data, 'run.json');
    writeFileSync(
      config,
      JSON.stringify({
        model: { task: 'wavemix-sr', depth: 1, mult: 1, ffChannel: 8, finalDim: 8, dropout: 0 },
        dataset: 'div2k',
        dataDir: data,
        datasetOptions: { scale: 2, patchSize: 16 },
        epochs: 2,
        batchSize: 3,
        lr: 0.003,
        valFraction: 0,
      }),
    );
    const run = scratch();
    const result = await train('--config', config, '--output', run);
    expect(result.code).toBe(0);
    const final = readJson<FinalResult>(join(run, 'final.json'));
    expect(final).toMatchObject({ task: 'super-resolution', dataset: 'div2k', testExamples: 2 });
    expect(final.psnr).toBeGreaterThan(5);
    expect(final.psnr).toBeLessThan(100);
    expect(final.ssim).toBeGreaterThan(-1);
    expect(final.ssim).toBeLessThanOrEqual(1);
  });
});
