// In-process training run: no tensor growth across steps and epochs (the e2e tests drive the CLI).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildConfig } from './config';
import type { Progress } from './progress';
import { TrainingRun } from './train';

jest.setTimeout(120_000);

test('tf.memory().numTensors stays flat over training steps and epochs', async () => {
  const counts: Array<{ epoch: number; step: number; tensors: number }> = [];
  const progress: Progress = {
    startEpoch: () => {},
    update: (p) => counts.push({ epoch: p.epoch, step: p.step, tensors: tf.memory().numTensors }),
    endEpoch: () => {},
    log: () => {},
  };
  const config = buildConfig([
    {
      source: 'test',
      values: {
        model: {
          task: 'classification',
          depth: 1,
          mult: 2,
          ffChannel: 8,
          finalDim: 8,
          dropout: 0.1,
          level: 1,
          initialConv: 'pachify',
          patchSize: 2,
        },
        dataset: 'mnist',
        epochs: 3,
        batchSize: 32,
        limitTrain: 320,
        limitTest: 64,
        valFraction: 0.2,
        output: mkdtempSync(join(tmpdir(), 'run-')),
        backend: 'wasm',
      },
    },
  ]);
  const result = await new TrainingRun(config, progress).run();
  expect(result.epochs).toBe(3);
  expect(counts).toHaveLength(3 * 10);
  // After the first step (optimizer slots are created lazily) the count never changes.
  const steady = counts.slice(1).map((c) => c.tensors);
  expect(new Set(steady)).toEqual(new Set([steady[0]]));
});
