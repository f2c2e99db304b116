/**
 * `wavemix-train --backend webgpu` end to end (issue 14), on SwiftShader (Debian chromium's Vulkan
 * driver), the only WebGPU adapter CI has: the built CLI trains, evaluates and writes every output
 * with asynchronous reads only, and `--resume` continues the run. SwiftShader runs the mnist-quick
 * model at ~12-40 s a step here, so the run uses a smaller model (1,684 parameters) at batch 16
 * on the mnist-quick preset's data and schedule.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@wavemix/kernels-cpu';
import { limitDataset } from '@wavemix/datasets';
import { SWIFTSHADER_ICD } from '@wavemix/kernels-webgpu/node';
import { loadPyTorchWeights } from '@wavemix/models';
import { fileSystem } from '@wavemix/models/node';
import { buildConfig } from './config';
import { loadTrainerDataset } from './data';
import { evaluate } from './evaluate';
import type { FinalResult } from './final_result';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const maybe = existsSync(SWIFTSHADER_ICD) ? test : test.skip;
jest.setTimeout(420_000);

function train(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

const records = (run: string) =>
  readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; step?: number; loss?: number });

maybe('--backend webgpu on SwiftShader trains, evaluates, writes every output and resumes', async () => {
  const run = mkdtempSync(join(tmpdir(), 'wavemix-webgpu-'));
  const tiny = join(run, '..', `${run.split('/').pop()}-tiny.json`);
  const model = {
    task: 'classification',
    depth: 1,
    mult: 2,
    ffChannel: 8,
    finalDim: 8,
    dropout: 0,
    level: 1,
    initialConv: 'pachify',
    patchSize: 2,
  };
  writeFileSync(tiny, JSON.stringify({ model, batchSize: 16, evalBatchSize: 16 }));
  const common = [
    '--preset',
    'mnist-quick',
    '--config',
    tiny,
    '--backend',
    'webgpu',
    '--vulkan-icd',
    SWIFTSHADER_ICD,
    '--epochs',
    '2',
    '--limit-train',
    '320',
    '--test-limit',
    '256',
    '--log-every',
    '1',
    '--loss-read-every',
    '5',
    '--seed',
    '3',
  ];

  // Without --allow-software-gpu, SwiftShader is refused, saying how to allow it.
  const refused = await train([
    ...common,
    '--max-steps',
    '1',
    '--output',
    mkdtempSync(join(tmpdir(), 'wavemix-webgpu-refused-')),
  ]);
  expect(refused.code).toBe(2);
  expect(refused.output).toMatch(/software .*--allow-software-gpu/);

  const first = await train([...common, '--allow-software-gpu', '--max-steps', '12', '--output', run]);
  expect(first).toMatchObject({ code: 0, output: expect.stringMatching(/webgpu adapter: .*swiftshader/i) });
  const final = JSON.parse(readFileSync(join(run, 'final.json'), 'utf8')) as FinalResult;
  expect(final).toMatchObject({
    backend: 'webgpu',
    gpuAdapter: expect.stringMatching(/swiftshader.*software/i),
    steps: 12,
    stoppedBy: 'max-steps',
    testExamples: 256,
  });
  for (const file of [
    'checkpoints/last.safetensors',
    'checkpoints/best.safetensors',
    'model/model.json',
    'model.safetensors',
    'model.onnx',
    'model-config.json',
    'report.md',
  ]) {
    expect([file, existsSync(join(run, file))]).toEqual([file, true]);
  }
  // Reads every 5 steps and the 2 left at the stop: still one finite record per step, in order.
  const steps = records(run).filter((r) => r.type === 'step');
  expect(steps.map((r) => r.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  expect(steps.every((r) => Number.isFinite(r.loss) && r.loss! > 0)).toBe(true);

  // The exports hold the tested weights: the tfjs folder and the PyTorch safetensors evaluated on
  // the cpu backend give the webgpu run's test loss and accuracy.
  const testLoss = records(run).find((r) => r.type === 'test')!.loss!;
  await tf.setBackend('cpu');
  const config = buildConfig([
    { source: 'test', values: { model, dataset: 'mnist', epochs: 1, batchSize: 16, output: run } },
  ]);
  const testSet = limitDataset(await loadTrainerDataset(config, 'test'), 256);
  const options = {
    task: 'classification' as const,
    batchSize: 16,
    ignoreIndex: undefined,
    ycbcr: false,
    worst: 0,
    seed: 0,
  };
  const exported = await tf.loadLayersModel(fileSystem(join(run, 'model')));
  const onCpu = await evaluate(exported, testSet, options);
  expect(Math.abs(onCpu.metrics.loss - testLoss)).toBeLessThan(1e-4 * Math.max(1, testLoss));
  expect(onCpu.metrics.accuracy).toBe(final.testAccuracy);
  loadPyTorchWeights(exported, new Uint8Array(readFileSync(join(run, 'model.safetensors'))));
  expect((await evaluate(exported, testSet, options)).metrics.loss).toBeCloseTo(onCpu.metrics.loss, 6);
  exported.dispose();

  // --resume continues from step 12 (mid-epoch: 20 steps an epoch) to the new limit, appending steps 13-16 once each.
  const resumed = await train(['--resume', run, '--allow-software-gpu', '--max-steps', '16']);
  expect(resumed).toMatchObject({ code: 0, output: expect.stringMatching(/resuming .* step 12 /) });
  expect(JSON.parse(readFileSync(join(run, 'final.json'), 'utf8'))).toMatchObject({ backend: 'webgpu', steps: 16 });
  expect(
    records(run)
      .filter((r) => r.type === 'step')
      .map((r) => r.step),
  ).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
});
