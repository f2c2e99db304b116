/**
 * The official recipes in the trainer (issue 15): `--opt lion`, `--loss focal|huber`, WaveMixSR-V2
 * models, and super-resolution datasets that pair images at the model's scale.
 */
import type { Dataset } from '@wavemix/datasets';
import { DEFAULTS, type TrainConfig } from './config';
import { UsageError } from './errors';
import { configFromFlags, main } from './main';
import { modelConfigFor } from './model_setup';
import { trainingLoss } from './step_runner';

const run = async (...args: string[]) => {
  const lines: string[] = [];
  const output = {
    log: (...a: unknown[]) => lines.push(a.join(' ')),
    error: (...a: unknown[]) => lines.push(a.join(' ')),
  };
  const code = await main(['node', 'wavemix-train', ...args], output);
  return { code, text: lines.join('\n') };
};

test('--opt lion and --loss focal|huber parse into the config; other names are usage errors', async () => {
  const config = configFromFlags({
    model: 'wavemixsr-v2-144-2-x4',
    dataset: 'div2k',
    opt: 'lion',
    loss: 'huber',
    workers: 0,
  });
  expect(config).toMatchObject({ opt: 'lion', loss: 'huber', model: 'wavemixsr-v2-144-2-x4' });
  expect(configFromFlags({ preset: 'mnist', loss: 'focal', workers: 0 }).loss).toBe('focal');
  expect(configFromFlags({ preset: 'mnist', workers: 0 }).loss).toBeUndefined();
  expect(await run('--loss', 'l2')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/Allowed choices are default, focal, huber/),
  });
  expect(await run('--opt', 'adam')).toMatchObject({
    code: 2,
    text: expect.stringMatching(/Allowed choices are adamw, sgd, dualopt, lion/),
  });
});

test('each --loss maps to the named loss the worker threads compute, and only where it applies', () => {
  expect(trainingLoss('classification', undefined)).toBe('sparseSoftmaxCrossEntropy');
  expect(trainingLoss('super-resolution', 'default')).toBe('meanAbsoluteError');
  expect(trainingLoss('segmentation', 'focal')).toBe('focal');
  expect(trainingLoss('classification', 'focal')).toBe('focal');
  expect(trainingLoss('super-resolution', 'huber')).toBe('huberY');
  expect(() => trainingLoss('super-resolution', 'focal')).toThrow(UsageError);
  expect(() => trainingLoss('segmentation', 'huber')).toThrow(/--loss huber does not apply to segmentation/);
});

test('a super-resolution model and dataset must agree on the scale', () => {
  const config = { ...DEFAULTS, model: 'wavemixsr-v2-144-2-x4', dataset: 'div2k' } as TrainConfig;
  const data = (scale: number) =>
    ({ name: 'div2k', task: 'super-resolution', scale, imageShape: [48, 48, 3], numClasses: 0 }) as unknown as Dataset;
  expect(modelConfigFor(config, data(4)).modelConfig).toMatchObject({ task: 'wavemix-sr-v2', scale: 4, inChannels: 3 });
  expect(() => modelConfigFor(config, data(2))).toThrow(
    /model wavemixsr-v2-144-2-x4 upscales 4x but dataset div2k pairs images at 2x/,
  );
  const x3 = {
    ...config,
    model: { task: 'wavemix-sr', scale: 3, depth: 1, finalDim: 8, ffChannel: 8 },
  } as unknown as TrainConfig;
  expect(modelConfigFor(x3, data(3)).modelConfig).toMatchObject({ task: 'wavemix-sr', scale: 3 });
});
