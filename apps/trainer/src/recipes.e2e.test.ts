/**
 * End-to-end runs of the built `wavemix-train` (dist/cli.js) with the official recipes (issue 15):
 * WaveMixSR-V2 at 4x on a DIV2K-style folder written with @wavemix/datasets' writers, trained with
 * Lion and the Huber loss on Y (the dataset pairs images at the model's 4x by itself), and a
 * classification run with Lion and the focal loss.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePngFile } from '@wavemix/datasets/node';
import type { FinalResult } from './final_result';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
jest.setTimeout(300_000);

const scratch = () => mkdtempSync(join(tmpdir(), 'wavemix-recipes-'));

function train(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

test('wavemix-train --model wavemixsr-v2-144-2-x4 --dataset div2k --opt lion --loss huber trains and reports PSNR/SSIM at 4x', async () => {
  const data = scratch();
  const write = (split: string, index: number) => {
    const [h, w] = [48, 64];
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
  for (let i = 0; i < 2; i++) write('train', i);
  for (let i = 0; i < 2; i++) write('valid', 800 + i);
  const config = join(data, 'run.json');
  writeFileSync(config, JSON.stringify({ datasetOptions: { patchSize: 32 } }));
  const run = scratch();
  const result = await train([
    '--config',
    config,
    '--model',
    'wavemixsr-v2-144-2-x4',
    '--dataset',
    'div2k',
    '--data-dir',
    data,
    '--epochs',
    '1',
    '--batch-size',
    '2',
    '--opt',
    'lion',
    '--lr',
    '0.0001',
    '--loss',
    'huber',
    '--val-fraction',
    '0',
    '--workers',
    '0',
    '--output',
    run,
  ]);
  expect([result.code, result.code === 0 ? '' : result.output]).toEqual([0, '']);
  const final = readJson<FinalResult>(join(run, 'final.json'));
  expect(final).toMatchObject({
    task: 'super-resolution',
    dataset: 'div2k',
    testExamples: 2,
    trainableParams: 1_561_970,
  });
  expect(final.psnr).toBeGreaterThan(5);
  expect(final.psnr).toBeLessThan(100);
  expect(final.ssim).toBeGreaterThan(-1);
  expect(final.ssim).toBeLessThanOrEqual(1);
  expect(readJson<Record<string, unknown>>(join(run, 'config.json'))).toMatchObject({
    opt: 'lion',
    loss: 'huber',
    model: 'wavemixsr-v2-144-2-x4',
  });
});

test('classification trains with --opt lion --loss focal', async () => {
  const run = scratch();
  const result = await train([
    '--preset',
    'mnist-quick',
    '--epochs',
    '1',
    '--limit-train',
    '4096',
    '--limit-test',
    '300',
    '--opt',
    'lion',
    '--lr',
    '0.0005',
    '--loss',
    'focal',
    '--workers',
    '0',
    '--output',
    run,
  ]);
  expect([result.code, result.code === 0 ? '' : result.output]).toEqual([0, '']);
  const final = readJson<FinalResult>(join(run, 'final.json'));
  expect(final.testAccuracy).toBeGreaterThan(0.2); // 10 classes: chance is 0.1 (64 steps reach about 0.38)
  expect(readJson<Record<string, unknown>>(join(run, 'config.json'))).toMatchObject({ opt: 'lion', loss: 'focal' });
});
