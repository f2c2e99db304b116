// The dataset table: names resolve, and what each reader reports agrees with its row.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetArgumentError, type Dataset } from '@wavemix/datasets';
import { DATASETS, datasetDescriptor, datasetNames, findDataset, loadDataset } from '@wavemix/datasets/node';
import * as fx from './testing/fixtures';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wavemix-table-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('every name and alias is unique; the held-out split is one of the splits', () => {
  const names = datasetNames();
  expect(new Set(names).size).toBe(names.length);
  for (const d of DATASETS) expect(d.splits).toContain(d.heldOutSplit);
  expect(names).toEqual(
    expect.arrayContaining([
      'mnist',
      'emnist-letters',
      'super-resolution',
      'set5',
      'set14',
      'bsd100',
      'b100',
      'urban100',
    ]),
  );
});

test('held-out splits: the table the trainer used to keep by hand', () => {
  // apps/trainer/src/data.ts HELD_OUT_SPLIT before the table existed; anything unlisted was 'test'.
  const before: Record<string, string> = {
    cityscapes: 'val',
    div2k: 'valid',
    'super-resolution': 'valid',
    places365: 'val',
    'tiny-imagenet': 'val',
    imagenet: 'val',
    inaturalist: 'val',
  };
  for (const name of [
    'mnist',
    'fashion-mnist',
    'emnist',
    'emnist-letters',
    'cifar10',
    'cifar100',
    'stl10',
    'galaxy10',
    'image-folder',
    ...Object.keys(before),
  ]) {
    expect([name, datasetDescriptor(name).heldOutSplit]).toEqual([name, before[name] ?? 'test']);
  }
  expect(findDataset('emnist-balanced')).toMatchObject({
    descriptor: { name: 'emnist' },
    aliasOptions: { variant: 'balanced' },
  });
  expect(findDataset('imagenet-22k')).toBeUndefined();
  expect(() => datasetDescriptor('imagenet-22k')).toThrow(DatasetArgumentError);
  expect(() => datasetDescriptor('imagenet-22k')).toThrow(/known: mnist, fashion-mnist/);
});

function expectMatchesRow(dataset: Dataset, name: string, inputShape = true) {
  const row = datasetDescriptor(name);
  expect(dataset.task).toBe(row.task);
  if (inputShape) expect(dataset.imageShape).toEqual(row.inputShape);
  if (row.normalization) expect([dataset.mean, dataset.std]).toEqual([row.normalization.mean, row.normalization.std]);
  if (row.classNames) expect(dataset.classNames).toEqual(row.classNames);
}

test('readers report the facts of their row', async () => {
  const mnist = await loadDataset('mnist', { split: 'test' });
  expectMatchesRow(mnist, 'mnist');
  expect(mnist.mean).toEqual([0.1307]);
  const cifar = join(root, 'cifar10');
  fx.writeCifar10(cifar, 2);
  const cifar10 = await loadDataset('cifar10', { dataDir: cifar });
  expectMatchesRow(cifar10, 'cifar10');
  expect(cifar10.std).toEqual([0.247, 0.2435, 0.2616]);
  const c100 = join(root, 'cifar100');
  fx.writeCifar100(c100, 4);
  expectMatchesRow(await loadDataset('cifar100', { dataDir: c100 }), 'cifar100');
  const stl = join(root, 'stl10');
  fx.writeStl10(stl, 2);
  expectMatchesRow(await loadDataset('stl10', { dataDir: stl }), 'stl10');
  const tiny = join(root, 'tiny');
  fx.writeTinyImagenet(tiny);
  expectMatchesRow(await loadDataset('tiny-imagenet', { dataDir: tiny }), 'tiny-imagenet');
  const city = join(root, 'cityscapes');
  fx.writeCityscapes(city, 'train', 4, 8);
  expectMatchesRow(await loadDataset('cityscapes', { dataDir: city, imageSize: [4, 8] }), 'cityscapes', false);
  const div2k = join(root, 'div2k');
  fx.writeDiv2k(div2k, true);
  expectMatchesRow(await loadDataset('div2k', { dataDir: div2k, scale: 2 }), 'div2k');
});
