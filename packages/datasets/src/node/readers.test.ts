import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DatasetFormatError,
  DatasetNotFoundError,
  DatasetArgumentError,
  cityscapesTrainIds,
  type Dataset,
} from '@wavemix/datasets';
import {
  loadDataset,
  loadGalaxy10,
  loadCityscapes,
  loadImageFolder,
  sharedHdf5Worker,
  writeTextFile,
} from '@wavemix/datasets/node';
import { loadSharp } from './image_codec';
import * as fx from './testing/fixtures';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wavemix-readers-'));
});
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await sharedHdf5Worker().terminate();
});

async function readAll(dataset: Dataset) {
  return dataset.read(Array.from({ length: dataset.size }, (_, i) => i));
}

async function expectFormatError(
  promise: Promise<unknown>,
  match: Partial<Pick<DatasetFormatError, 'file' | 'offset'>> & { expected?: RegExp; found?: RegExp } = {},
) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetFormatError);
  const e = error as DatasetFormatError;
  if (match.file !== undefined) expect(e.file).toBe(match.file);
  if (match.offset !== undefined) expect(e.offset).toBe(match.offset);
  if (match.expected) expect(e.expected).toMatch(match.expected);
  if (match.found) expect(e.found).toMatch(match.found);
  return e;
}

describe('EMNIST', () => {
  test('letters: transposed images, labels 1..26 mapped to 0..25, names from the mapping file', async () => {
    const dir = join(root, 'emnist');
    const { images, labels } = fx.writeEmnist(
      dir,
      'letters',
      30,
      [1, 2, 26, 13],
      Array.from({ length: 26 }, (_, i) => `${i + 1} ${65 + i} ${97 + i}`),
    );
    const ds = await loadDataset('emnist-letters', { dataDir: dir, split: 'train' });
    expect(ds.size).toBe(30);
    expect(ds.numClasses).toBe(26);
    expect(ds.classNames[25]).toBe('Z/z');
    const batch = await ds.read([0, 2]);
    expect(Array.from(batch.labels!)).toEqual([0, 25]);
    // Transposed: pixel (row 3, col 5) of the result is stored at (row 5, col 3) in the file.
    expect(batch.images[3 * 28 + 5]).toBe(images[5 * 28 + 3]);
    expect(batch.images[784 + 27 * 28 + 1]).toBe(images[2 * 784 + 1 * 28 + 27]);
    expect(labels[2]).toBe(26);
    // Statistics are computed from the images (EMNIST has no standard ones).
    expect(ds.mean[0]).toBeGreaterThan(0.3);
  });

  test('balanced mapping; a label absent from the mapping is a format error at its byte', async () => {
    const dir = join(root, 'emnist-b');
    fx.writeEmnist(
      dir,
      'balanced',
      10,
      [0, 1, 46, 47],
      Array.from({ length: 47 }, (_, i) => `${i} ${48 + i}`),
    );
    await expectFormatError(loadDataset('emnist', { variant: 'balanced', dataDir: dir }), {
      file: join(dir, 'emnist-balanced-train-labels-idx1-ubyte.gz (decompressed)'),
      offset: 8 + 3,
      found: /^47$/,
    });
  });

  test('all six splits are accepted by name', async () => {
    for (const variant of ['byclass', 'bymerge', 'digits', 'mnist'] as const) {
      const dir = join(root, `emnist-${variant}`);
      fx.writeEmnist(dir, variant, 4, [0, 1, 2, 3], ['0 48', '1 49', '2 50', '3 51']);
      expect((await loadDataset('emnist', { variant, dataDir: dir })).size).toBe(4);
    }
  });
});

describe('CIFAR', () => {
  test('CIFAR-10: five training batches concatenated, test batch, label names', async () => {
    const dir = join(root, 'cifar-10-batches-bin');
    const { images, labels } = fx.writeCifar10(dir, 3);
    const train = await loadDataset('cifar10', { dataDir: root });
    const test = await loadDataset('cifar10', { dataDir: dir, split: 'test' });
    expect([train.size, test.size]).toEqual([15, 3]);
    expect(train.classNames).toHaveLength(10);
    expect(train.classNames[9]).toBe('truck');
    const all = await readAll(train);
    expect(all.images).toEqual(images.subarray(0, 15 * 3072));
    expect(Array.from(all.labels!)).toEqual(Array.from(labels.subarray(0, 15)));
    expect(Array.from((await readAll(test)).labels!)).toEqual(Array.from(labels.subarray(15)));
  });

  test('CIFAR-100: fine and coarse labels', async () => {
    const dir = join(root, 'cifar-100-binary');
    const { labels, coarse } = fx.writeCifar100(dir, 8);
    const fine = await loadDataset('cifar100', { dataDir: dir });
    const sup = await loadDataset('cifar100', { dataDir: dir, labels: 'coarse' });
    expect([fine.numClasses, sup.numClasses]).toEqual([100, 20]);
    expect(Array.from((await readAll(fine)).labels!)).toEqual(Array.from(labels));
    expect(Array.from((await readAll(sup)).labels!)).toEqual(Array.from(coarse));
    expect(sup.classNames[19]).toBe('coarse19');
  });

  test('missing folder or file fails clearly', async () => {
    // Options the types refuse still reach the reader from configuration files: it checks them too.
    await expect(loadDataset('cifar10', {} as never)).rejects.toThrow(/pass dataDir/);
    const empty = join(root, 'empty');
    fx.bytes(0, 0);
    rmSync(empty, { recursive: true, force: true });
    require('node:fs').mkdirSync(empty);
    await expect(loadDataset('cifar10', { dataDir: empty })).rejects.toThrow(DatasetNotFoundError);
  });
});

test('STL-10: column-major planes and labels 1..10', async () => {
  const dir = join(root, 'stl10_binary');
  const { images, labels } = fx.writeStl10(dir, 3);
  const ds = await loadDataset('stl10', { dataDir: root });
  const all = await readAll(ds);
  expect(all.images).toEqual(images);
  expect(Array.from(all.labels!)).toEqual(Array.from(labels));
  expect(ds.imageShape).toEqual([96, 96, 3]);
});

describe('Galaxy10 (HDF5 through h5wasm)', () => {
  test('slices, seeded 90/10 split, labels', async () => {
    const path = join(root, 'Galaxy10_DECals.h5');
    const { images, labels } = await fx.writeGalaxy(path, 40);
    const train = await loadGalaxy10({ path, split: 'train', seed: 3 });
    const test = await loadDataset('galaxy10', { dataDir: root, split: 'test', seed: 3 });
    expect([train.size, test.size]).toEqual([36, 4]);
    expect(train.classNames[0]).toBe('Disturbed');
    // The two splits are disjoint, cover the file, and depend on the seed.
    const all = [...train.indices, ...(test as typeof train).indices].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const other = await loadGalaxy10({ path, split: 'test', seed: 4 });
    expect(Array.from(other.indices)).not.toEqual(Array.from((test as typeof train).indices));
    // Examples equal the written rows, in any order (runs and single rows).
    const picks = [5, 0, 1, 2, 30];
    const batch = await train.read(picks);
    const per = 8 * 8 * 3;
    picks.forEach((p, k) => {
      const row = train.indices[p]!;
      expect(batch.images.subarray(k * per, (k + 1) * per)).toEqual(images.subarray(row * per, (row + 1) * per));
      expect(batch.labels![k]).toBe(labels[row]);
    });
    expect(train.mean).toHaveLength(3);
    await train.close();
  });

  test('an unsupported HDF5 filter is an error, not garbage', async () => {
    const path = join(root, 'g-deflate.h5');
    await fx.writeGalaxy(path, 6, 8, 'gzip', ['earliest', 'latest']); // v1 headers: no checksums to fix up
    const patched = join(root, 'g-lzf.h5');
    fx.patchHdf5FilterId(path, patched, 32000);
    await expectFormatError(loadGalaxy10({ path: patched, split: 'all' }), {
      file: patched,
      expected: /filters h5wasm decodes/,
      found: /HDF5 filter 32000/,
    });
  });

  test('uncompressed files work; wrong signature, missing datasets and bad labels are format errors', async () => {
    const plain = join(root, 'g-plain.h5');
    const { images } = await fx.writeGalaxy(plain, 5, 8, null);
    const ds = await loadGalaxy10({ path: plain, split: 'all' });
    expect((await ds.read([4])).images).toEqual(images.subarray(4 * 192));
    await ds.close();
    const notH5 = join(root, 'not.h5');
    writeFileSync(notH5, 'hello, this is not HDF5 at all');
    await expectFormatError(loadGalaxy10({ path: notH5 }), { offset: 0, expected: /HDF5 signature/ });
    const other = join(root, 'other.h5');
    await (await import('./hdf5')).writeHdf5(other, [{ name: 'x', data: new Uint8Array(4), shape: [4], dtype: '<B' }]);
    await expectFormatError(loadGalaxy10({ path: other }), { expected: /'images' and 'ans'/ });
    const badLabels = join(root, 'bad-labels.h5');
    await require('./writers').writeGalaxy10File(badLabels, new Uint8Array(2 * 4 * 4 * 3), [3, 12], [4, 4, 3]);
    await expectFormatError(loadGalaxy10({ path: badLabels, split: 'all' }), {
      expected: /0\.\.9/,
      found: /ans\[1\] = 12/,
    });
    await expect(loadGalaxy10({ path: join(root, 'missing.h5') })).rejects.toThrow(DatasetNotFoundError);
  });
});

describe('Cityscapes', () => {
  test('leftImg8bit with gtFine labelIds mapped to 19 train ids, 255 ignored; resized with nearest labels', async () => {
    const dir = join(root, 'cityscapes');
    const { images, labelIds } = fx.writeCityscapes(dir, 'val', 8, 16);
    const ds = await loadDataset('cityscapes', { dataDir: dir, split: 'val', imageSize: [8, 16] });
    expect([ds.size, ds.numClasses, ds.ignoreIndex]).toEqual([2, 19, 255]);
    const batch = await readAll(ds);
    expect(batch.images).toEqual(Uint8Array.from([...images[0]!, ...images[1]!]));
    expect(batch.targets).toEqual(
      Uint8Array.from([...cityscapesTrainIds(labelIds[0]!), ...cityscapesTrainIds(labelIds[1]!)]),
    );
    const half = loadCityscapes({ dataDir: dir, split: 'val', imageSize: [4, 8] });
    const small = await half.read([0]);
    expect(small.targetShape).toEqual([4, 8]);
    // Nearest-neighbour resizing only ever produces train ids or 255.
    const valid = new Set(Array.from(cityscapesTrainIds(labelIds[0]!)));
    for (const v of small.targets!) expect(valid.has(v)).toBe(true);
  });

  test('a label map of the wrong size is a format error naming it', async () => {
    const dir = join(root, 'cityscapes-bad');
    fx.writeCityscapes(dir, 'train', 8, 16);
    const label = join(dir, 'gtFine', 'train', 'aachen', 'aachen_000000_000019_gtFine_labelIds.png');
    require('./writers').writePngFile(label, new Uint8Array(4 * 4), { width: 4, height: 4, channels: 1 });
    const ds = loadCityscapes({ dataDir: dir, imageSize: [8, 16] });
    await expectFormatError(ds.read([0]), { file: label, offset: 16 });
    unlinkSync(label);
    await expect(ds.read([0])).rejects.toThrow(DatasetNotFoundError);
  });
});

describe('ImageFolder, Tiny ImageNet, Places-365', () => {
  test('sorted class folders, recursive files, PNG exact and JPEG close', async () => {
    const dir = join(root, 'folder', 'train');
    const written = await fx.writeImageFolder(dir);
    const ds = await loadDataset('image-folder', {
      dataDir: join(root, 'folder'),
      split: 'train',
      imageSize: [12, 10],
      fit: 'fill',
    });
    expect(ds.classNames).toEqual(['Zebra', 'cat', 'dog']); // code-point order, like Python's sorted
    expect(ds.size).toBe(9);
    const batch = await readAll(ds);
    const per = 12 * 10 * 3;
    let k = 0;
    for (const [id, cls] of ds.classNames.entries()) {
      for (const item of [...written[cls]!].sort((a, b) => (a.file < b.file ? -1 : 1))) {
        expect(batch.labels![k]).toBe(id);
        const got = batch.images.subarray(k * per, (k + 1) * per);
        if (!item.jpeg) expect(got).toEqual(item.pixels);
        else {
          let err = 0;
          for (let i = 0; i < per; i++) err += Math.abs(got[i]! - item.pixels[i]!);
          expect(err / per).toBeLessThan(40); // lossy, and the source is noise
        }
        k++;
      }
    }
    // Resizing to a fixed size makes batches of mixed sources possible.
    const resized = loadImageFolder({ dataDir: dir, imageSize: 6 });
    expect((await resized.read([0, 1, 2])).imageShape).toEqual([6, 6, 3]);
  });

  test('Tiny ImageNet: val/ regrouped from val_annotations.txt, sorted wnids named from words.txt', async () => {
    const dir = join(root, 'tiny-imagenet-200');
    fx.writeTinyImagenet(dir);
    const train = await loadDataset('tiny-imagenet', { dataDir: dir, imageSize: 8 });
    const val = await loadDataset('tiny-imagenet', { dataDir: dir, split: 'val', imageSize: 8 });
    expect(train.classNames).toEqual(['goldfish', 'tabby']);
    expect(Array.from((await readAll(train)).labels!)).toEqual([0, 0, 1, 1]);
    expect(Array.from((await readAll(val)).labels!)).toEqual([1, 0, 1]);
    writeTextFile(join(dir, 'val', 'val_annotations.txt'), [
      'val_0.png\tn02\t0\t0\t7\t7',
      'val_1.png\tn99\t0\t0\t7\t7',
    ]);
    await expectFormatError(loadDataset('tiny-imagenet', { dataDir: dir, split: 'val' }), {
      offset: 22,
      expected: /wnid listed/,
    });
  });

  test('Places-365 file lists', async () => {
    const dir = join(root, 'places');
    writeTextFile(join(dir, 'categories_places365.txt'), ['/a/airfield 0', '/b/bakery/shop 1']);
    writeTextFile(join(dir, 'places365_val.txt'), ['Places365_val_00000001.png 1', 'Places365_val_00000002.png 0']);
    const pixels = fx.bytes(4 * 4 * 3, 7);
    for (const n of [1, 2])
      require('./writers').writePngFile(join(dir, 'val_256', `Places365_val_0000000${n}.png`), pixels, {
        width: 4,
        height: 4,
        channels: 3,
      });
    const ds = await loadDataset('places365', { dataDir: dir, split: 'val', imageSize: 4 });
    expect(ds.classNames).toEqual(['airfield', 'bakery/shop']);
    const batch = await readAll(ds);
    expect(Array.from(batch.labels!)).toEqual([1, 0]);
    expect(batch.images.subarray(0, 48)).toEqual(pixels);
  });
});

describe('super-resolution (DIV2K layout)', () => {
  test('LR folder: aligned patches from the reader seed', async () => {
    const dir = join(root, 'div2k');
    const hrs = fx.writeDiv2k(dir, true);
    const ds = await loadDataset('div2k', { dataDir: dir, scale: 2, patchSize: 8 });
    expect(ds.task).toBe('super-resolution');
    expect([ds.imageShape, ds.targetShape]).toEqual([
      [4, 4, 3],
      [8, 8, 3],
    ]);
    const seeds = Uint32Array.of(7, 7);
    const a = await ds.read([0, 1], seeds);
    const b = await ds.read([0, 1], seeds);
    expect(a.images).toEqual(b.images);
    // The LR fixture is HR subsampled at even pixels, so LR(y, x) = HR(2y, 2x) inside the patch.
    const hr = a.targets!.subarray(0, 8 * 8 * 3);
    const lr = a.images.subarray(0, 4 * 4 * 3);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++)
        for (let c = 0; c < 3; c++) expect(lr[(y * 4 + x) * 3 + c]).toBe(hr[(2 * y * 8 + 2 * x) * 3 + c]);
    // The HR patch is a crop of the written image.
    const full = hrs[0]!;
    const found = [...Array(9).keys()].some((y) =>
      [...Array(13).keys()].some((x) =>
        hr.every((v, i) => v === full[((y + Math.floor(i / 24)) * 20 + x + Math.floor((i % 24) / 3)) * 3 + (i % 3)]),
      ),
    );
    expect(found).toBe(true);
    const whole = await loadDataset('div2k', { dataDir: dir, scale: 2 });
    expect(whole.imageShape).toBeNull();
    const one = await whole.read([1]);
    expect([one.imageShape, one.targetShape]).toEqual([
      [8, 10, 3],
      [16, 20, 3],
    ]);
  });

  test('no LR folder: bicubic downscale of HR', async () => {
    const dir = join(root, 'div2k-hr');
    fx.writeDiv2k(dir, false);
    const ds = await loadDataset('div2k', { dataDir: dir, scale: 2 });
    const one = await ds.read([0]);
    expect(one.imageShape).toEqual([8, 10, 3]);
    const sharp = loadSharp();
    const expected = await sharp(one.targets!, { raw: { width: 20, height: 16, channels: 3 } })
      .resize(10, 8, { fit: 'fill', kernel: 'cubic' })
      .raw()
      .toBuffer();
    expect(Buffer.from(one.images).equals(expected)).toBe(true);
  });
});

test('unknown dataset names and missing options are argument errors', async () => {
  await expect(loadDataset('imagenet-22k')).rejects.toThrow(DatasetArgumentError);
  await expect(loadDataset('galaxy10')).rejects.toThrow(/path/);
  await expect(loadDataset('stl10', { dataDir: root, split: 'dev' as never })).rejects.toThrow(/splits/);
});
