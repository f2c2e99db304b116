// --max-steps / --test-limit (issue 14): a short run that still writes every output, in process.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from './config';
import type { Progress } from './progress';
import { TrainingRun } from './train';

jest.setTimeout(120_000);

/** 1,684 parameters: a step takes milliseconds on wasm. */
const TINY_MODEL = {
  task: 'classification',
  depth: 1,
  mult: 2,
  ffChannel: 8,
  finalDim: 8,
  dropout: 0,
  level: 1,
  initialConv: 'pachify',
  patchSize: 2,
} as const;

const quiet: Progress = { startEpoch: () => {}, update: () => {}, endEpoch: () => {}, log: () => {} };

test('training stops after --max-steps steps in all, then validates, tests --test-limit images and exports', async () => {
  const output = mkdtempSync(join(tmpdir(), 'max-steps-'));
  const config = buildConfig([
    {
      source: 'test',
      values: {
        model: TINY_MODEL,
        // 320 training images (validation is held out of the whole split first) in batches of 32:
        // 10 steps an epoch, so 13 steps end inside epoch 2.
        dataset: 'mnist',
        epochs: 5,
        batchSize: 32,
        limitTrain: 320,
        limitTest: 40,
        valFraction: 0.1,
        maxSteps: 13,
        output,
        backend: 'wasm',
        workers: 0,
        logEvery: 1,
      },
    },
  ]);
  const result = await new TrainingRun(config, quiet).run();
  expect(result).toMatchObject({ steps: 13, epochs: 2, stoppedBy: 'max-steps', testExamples: 40 });
  const records = readFileSync(join(output, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(records.filter((r) => r.type === 'step').map((r) => r.step)).toEqual(
    Array.from({ length: 13 }, (_, i) => i + 1),
  );
  expect(records.filter((r) => r.type === 'epoch').map((r) => [r.epoch, r.step])).toEqual([
    [1, 10],
    [2, 13],
  ]);
  for (const file of [
    'final.json',
    'checkpoints/last.safetensors',
    'checkpoints/best.safetensors',
    'model/model.json',
    'model.safetensors',
  ]) {
    expect(existsSync(join(output, file))).toBe(true);
  }
  // Resuming the finished run trains no further step and tests again.
  const again = await new TrainingRun(config, quiet).run();
  expect(again).toMatchObject({ steps: 13, testExamples: 40, testAccuracy: result.testAccuracy });
});

test('--max-steps wins over a time limit reached at the same step, so the run stays resumable', async () => {
  const output = mkdtempSync(join(tmpdir(), 'max-steps-time-'));
  const values = {
    model: TINY_MODEL,
    dataset: 'mnist',
    epochs: 5,
    batchSize: 32,
    limitTrain: 320,
    limitTest: 40,
    valFraction: 0.1,
    // Past by the end of step 1, as a preset's wasm budget is on a slow GPU.
    timeLimitMinutes: 1e-9,
    output,
    backend: 'wasm',
    workers: 0,
  } as const;
  const first = await new TrainingRun(
    buildConfig([{ source: 'test', values: { ...values, maxSteps: 1 } }]),
    quiet,
  ).run();
  expect(first).toMatchObject({ steps: 1, stoppedBy: 'max-steps' });
  // The same folder with a higher limit continues (a time-limit stop would have marked the run
  // finished: no further step).
  const resumed = await new TrainingRun(
    buildConfig([{ source: 'test', values: { ...values, maxSteps: 2 } }]),
    quiet,
  ).run();
  expect(resumed).toMatchObject({ steps: 2, stoppedBy: 'max-steps' });
});

test('a --max-steps stop inside the only epoch resumes to the rest of that epoch, and no further', async () => {
  const output = mkdtempSync(join(tmpdir(), 'max-steps-one-epoch-'));
  const values = {
    model: TINY_MODEL,
    // 10 steps an epoch (as above), one epoch: mnist-quick's shape.
    dataset: 'mnist',
    epochs: 1,
    batchSize: 32,
    limitTrain: 320,
    limitTest: 40,
    valFraction: 0.1,
    output,
    backend: 'wasm',
    workers: 0,
    logEvery: 1,
  } as const;
  const run = (maxSteps: number) =>
    new TrainingRun(buildConfig([{ source: 'test', values: { ...values, maxSteps } }]), quiet).run();
  expect(await run(4)).toMatchObject({ steps: 4, epochs: 1, stoppedBy: 'max-steps' });
  expect(await run(7)).toMatchObject({ steps: 7, epochs: 1, stoppedBy: 'max-steps' });
  // Exactly at the epoch's last batch: the epoch is complete.
  expect(await run(10)).toMatchObject({ steps: 10, epochs: 1, stoppedBy: 'max-steps' });
  expect(await run(100)).toMatchObject({ steps: 10, epochs: 1, stoppedBy: 'epochs' });
  const steps = readFileSync(join(output, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.type === 'step')
    .map((r) => r.step);
  expect(steps).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
});
