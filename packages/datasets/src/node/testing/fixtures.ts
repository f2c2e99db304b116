// Small fixture trees of every supported on-disk format, written with our own writers.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeStl10Images, encodeStl10Labels } from '@wavemix/datasets';
import { loadSharp } from '../image_codec';
import { writeCifarFile, writeGalaxy10File, writeIdxFile, writePngFile, writeTextFile } from '../writers';

/** Deterministic pseudo-random bytes (LCG). */
export function bytes(length: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

export function writeEmnist(
  dir: string,
  variant: string,
  count: number,
  labelValues: number[],
  mapping: string[],
): { images: Uint8Array; labels: Uint8Array } {
  const images = bytes(count * 28 * 28, 11);
  const labels = Uint8Array.from({ length: count }, (_, i) => labelValues[i % labelValues.length]!);
  writeIdxFile(
    join(dir, `emnist-${variant}-train-images-idx3-ubyte.gz`),
    { dtype: 'uint8', shape: [count, 28, 28], data: images },
    { gzip: true },
  );
  writeIdxFile(
    join(dir, `emnist-${variant}-train-labels-idx1-ubyte.gz`),
    { dtype: 'uint8', shape: [count], data: labels },
    { gzip: true },
  );
  writeTextFile(join(dir, `emnist-${variant}-mapping.txt`), mapping);
  return { images, labels };
}

export function writeCifar10(dir: string, perBatch: number): { images: Uint8Array; labels: Int32Array } {
  const images = bytes(6 * perBatch * 3072, 21);
  const labels = Int32Array.from({ length: 6 * perBatch }, (_, i) => (i * 7) % 10);
  for (let b = 0; b < 6; b++) {
    const file = b < 5 ? `data_batch_${b + 1}.bin` : 'test_batch.bin';
    writeCifarFile(
      join(dir, file),
      {
        images: images.subarray(b * perBatch * 3072, (b + 1) * perBatch * 3072),
        labels: labels.subarray(b * perBatch, (b + 1) * perBatch),
      },
      10,
    );
  }
  writeTextFile(join(dir, 'batches.meta.txt'), [
    'airplane',
    'automobile',
    'bird',
    'cat',
    'deer',
    'dog',
    'frog',
    'horse',
    'ship',
    'truck',
    '',
  ]);
  return { images, labels };
}

export function writeCifar100(
  dir: string,
  count: number,
): { images: Uint8Array; labels: Int32Array; coarse: Int32Array } {
  const images = bytes(count * 3072, 31);
  const labels = Int32Array.from({ length: count }, (_, i) => (i * 37) % 100);
  const coarse = Int32Array.from(labels, (l) => l % 20);
  writeCifarFile(join(dir, 'train.bin'), { images, labels, coarseLabels: coarse }, 100);
  writeCifarFile(
    join(dir, 'test.bin'),
    { images: images.subarray(0, 3072), labels: labels.subarray(0, 1), coarseLabels: coarse.subarray(0, 1) },
    100,
  );
  writeTextFile(
    join(dir, 'fine_label_names.txt'),
    Array.from({ length: 100 }, (_, i) => `fine${i}`),
  );
  writeTextFile(
    join(dir, 'coarse_label_names.txt'),
    Array.from({ length: 20 }, (_, i) => `coarse${i}`),
  );
  return { images, labels, coarse };
}

export function writeStl10(dir: string, count: number): { images: Uint8Array; labels: Int32Array } {
  mkdirSync(dir, { recursive: true });
  const images = bytes(count * 96 * 96 * 3, 41);
  const labels = Int32Array.from({ length: count }, (_, i) => (i * 3) % 10);
  writeFileSync(join(dir, 'train_X.bin'), encodeStl10Images(images));
  writeFileSync(join(dir, 'train_y.bin'), encodeStl10Labels(labels));
  writeTextFile(join(dir, 'class_names.txt'), [
    'airplane',
    'bird',
    'car',
    'cat',
    'deer',
    'dog',
    'horse',
    'monkey',
    'ship',
    'truck',
  ]);
  return { images, labels };
}

export async function writeGalaxy(
  path: string,
  count: number,
  size = 8,
  compression: 'gzip' | null = 'gzip',
  libver?: [string, string],
): Promise<{ images: Uint8Array; labels: Uint8Array }> {
  const images = bytes(count * size * size * 3, 51);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  await writeGalaxy10File(path, images, labels, [size, size, 3], { compression, ...(libver ? { libver } : {}) });
  return { images, labels };
}

/** Replaces the deflate filter id (1) in the filter pipeline message of an HDF5 file by `id`. */
export function patchHdf5FilterId(path: string, out: string, id: number): void {
  const file = readFileSync(path);
  const name = Buffer.from('deflate\0');
  let at = file.indexOf(name);
  let patched = false;
  while (at >= 0) {
    // Version-1 pipeline message: filter id (2 bytes LE) and name length (2 bytes) precede flags, count, name.
    const idAt = at - 8;
    if (idAt >= 0 && file.readUInt16LE(idAt) === 1 && file.readUInt16LE(idAt + 2) === 8) {
      file.writeUInt16LE(id, idAt);
      patched = true;
    }
    at = file.indexOf(name, at + 1);
  }
  if (!patched) throw new Error('no deflate filter message found');
  writeFileSync(out, file);
}

/** Cityscapes-like tree: leftImg8bit PNGs and gtFine labelIds PNGs. */
export function writeCityscapes(
  dir: string,
  split: string,
  h: number,
  w: number,
): { labelIds: Uint8Array[]; images: Uint8Array[] } {
  const images: Uint8Array[] = [];
  const labelIds: Uint8Array[] = [];
  ['aachen_000000_000019', 'bochum_000000_000313'].forEach((stem, i) => {
    const city = stem.split('_')[0]!;
    const image = bytes(h * w * 3, 61 + i);
    const labels = Uint8Array.from(bytes(h * w, 71 + i), (v) => v % 40);
    writePngFile(join(dir, 'leftImg8bit', split, city, `${stem}_leftImg8bit.png`), image, {
      width: w,
      height: h,
      channels: 3,
    });
    writePngFile(join(dir, 'gtFine', split, city, `${stem}_gtFine_labelIds.png`), labels, {
      width: w,
      height: h,
      channels: 1,
    });
    images.push(image);
    labelIds.push(labels);
  });
  return { images, labelIds };
}

/** An ImageFolder tree with PNG and JPEG files; returns files per class in sorted order. */
export async function writeImageFolder(
  dir: string,
): Promise<Record<string, Array<{ file: string; pixels: Uint8Array; jpeg: boolean }>>> {
  const sharp = loadSharp();
  const out: Record<string, Array<{ file: string; pixels: Uint8Array; jpeg: boolean }>> = {};
  const classes = ['cat', 'dog', 'Zebra'];
  let seed = 81;
  for (const cls of classes) {
    out[cls] = [];
    for (const name of ['a.png', 'b.jpg', 'nested/c.png']) {
      const noise = bytes(12 * 10 * 3, seed++);
      // JPEG gets a smooth image (noise does not survive lossy coding); PNG gets noise (exact).
      const pixels = name.endsWith('.jpg')
        ? Uint8Array.from(
            noise,
            (_, i) => 40 + ((Math.floor(i / 30) * 9 + (Math.floor(i / 3) % 10) * 7 + (i % 3) * 30) % 160),
          )
        : noise;
      const file = join(dir, cls, name);
      mkdirSync(join(file, '..'), { recursive: true });
      if (name.endsWith('.png')) writePngFile(file, pixels, { width: 10, height: 12, channels: 3 });
      else
        await sharp(pixels, { raw: { width: 10, height: 12, channels: 3 } })
          .jpeg({ quality: 95 })
          .toFile(file);
      out[cls]!.push({ file, pixels, jpeg: name.endsWith('.jpg') });
    }
  }
  writeFileSync(join(dir, 'cat', 'notes.txt'), 'not an image');
  return out;
}

export function writeTinyImagenet(dir: string): void {
  const wnids = ['n02', 'n01'];
  writeTextFile(join(dir, 'wnids.txt'), wnids);
  writeTextFile(join(dir, 'words.txt'), ['n01\tgoldfish, Carassius auratus', 'n02\ttabby, tabby cat']);
  let seed = 91;
  for (const wnid of wnids) {
    for (let i = 0; i < 2; i++)
      writePngFile(join(dir, 'train', wnid, 'images', `${wnid}_${i}.JPEG.png`), bytes(8 * 8 * 3, seed++), {
        width: 8,
        height: 8,
        channels: 3,
      });
  }
  for (let i = 0; i < 3; i++)
    writePngFile(join(dir, 'val', 'images', `val_${i}.png`), bytes(8 * 8 * 3, seed++), {
      width: 8,
      height: 8,
      channels: 3,
    });
  writeTextFile(join(dir, 'val', 'val_annotations.txt'), [
    'val_0.png\tn02\t0\t0\t7\t7',
    'val_1.png\tn01\t0\t0\t7\t7',
    'val_2.png\tn02\t1\t1\t6\t6',
  ]);
}

/** LR made by taking every `scale`-th pixel of HR (cropped to a multiple of the scale), so LR(y, x) = HR(s y, s x). */
export function subsample(hr: Uint8Array, height: number, width: number, scale: number): Uint8Array {
  const h = Math.floor(height / scale);
  const w = Math.floor(width / scale);
  return Uint8Array.from(
    { length: h * w * 3 },
    (_, k) => hr[(Math.floor(k / (3 * w)) * scale * width + (Math.floor(k / 3) % w) * scale) * 3 + (k % 3)]!,
  );
}

/**
 * Two 16 x 20 HR images in `DIV2K_train_HR` and, with `withLr`, their subsampled LR images in
 * `DIV2K_train_LR_bicubic/X<scale>` (or, with `zipLayout`, where the DIV2K zip files unpack them).
 */
export function writeDiv2k(dir: string, withLr: boolean, scale = 2, zipLayout = false): Uint8Array[] {
  const hrs: Uint8Array[] = [];
  const lrDir = zipLayout
    ? join(dir, `DIV2K_train_LR_bicubic_X${scale}`, 'DIV2K_train_LR_bicubic', `X${scale}`)
    : join(dir, 'DIV2K_train_LR_bicubic', `X${scale}`);
  ['0001', '0002'].forEach((stem, i) => {
    const hr = bytes(16 * 20 * 3, 101 + i);
    hrs.push(hr);
    writePngFile(join(dir, 'DIV2K_train_HR', `${stem}.png`), hr, { width: 20, height: 16, channels: 3 });
    if (withLr) {
      writePngFile(join(lrDir, `${stem}x${scale}.png`), subsample(hr, 16, 20, scale), {
        width: Math.floor(20 / scale),
        height: Math.floor(16 / scale),
        channels: 3,
      });
    }
  });
  return hrs;
}

export type SrBenchmarkFixtureLayout = 'gtmod12' | 'srf' | 'edsr';

export interface SrBenchmarkFixtureImage {
  name: string;
  hr: Uint8Array;
  lr: Uint8Array;
  height: number;
  width: number;
}

/**
 * A benchmark set in one of its distributed layouts: three HR images of different sizes (multiples
 * of 12, as GTmod12) with values in 0..199, and their LR images at `scale` (subsampled).
 */
export function writeSrBenchmark(
  setDir: string,
  layout: SrBenchmarkFixtureLayout,
  scale: number,
): SrBenchmarkFixtureImage[] {
  const sizes: Array<[number, number]> = [
    [24, 36],
    [36, 24],
    [24, 24],
  ];
  return ['baby', 'bird', 'head'].map((name, i) => {
    const [height, width] = sizes[i]!;
    const hr = bytes(height * width * 3, 300 + i).map((v) => v % 200);
    const lr = subsample(hr, height, width, scale);
    const hrSize = { width, height, channels: 3 as const };
    const lrSize = { width: width / scale, height: height / scale, channels: 3 as const };
    if (layout === 'gtmod12') {
      writePngFile(join(setDir, 'GTmod12', `${name}.png`), hr, hrSize);
      writePngFile(join(setDir, `LRbicx${scale}`, `${name}.png`), lr, lrSize);
    } else if (layout === 'srf') {
      const stem = `img_00${i + 1}_SRF_${scale}`;
      writePngFile(join(setDir, `image_SRF_${scale}`, `${stem}_HR.png`), hr, hrSize);
      writePngFile(join(setDir, `image_SRF_${scale}`, `${stem}_LR.png`), lr, lrSize);
      // Other methods' results sit in the same folder and are not HR images.
      writePngFile(join(setDir, `image_SRF_${scale}`, `${stem}_bicubic.png`), hr, hrSize);
    } else {
      writePngFile(join(setDir, 'HR', `${name}.png`), hr, hrSize);
      writePngFile(join(setDir, 'LR_bicubic', `X${scale}`, `${name}x${scale}.png`), lr, lrSize);
    }
    return { name, hr, lr, height, width };
  });
}

export { copyFileSync };
