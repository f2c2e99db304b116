// Small pieces the readers share: argument checks, file listing in Python's order, image crops.
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DatasetArgumentError, LazyDataset, type Example, type LoadSpec } from '@wavemix/datasets';
import { isDirectory, readBytes } from './files';
import { decodeImage } from './image_codec';

export type TrainTest = 'train' | 'test';

/** Extensions an ImageFolder picks up (case-insensitive). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff'];

export function checkSplit<T extends string>(dataset: string, split: string | undefined, allowed: readonly T[]): T {
  const value = (split ?? allowed[0]) as T;
  if (!allowed.includes(value))
    throw new DatasetArgumentError('split', `${dataset} has splits ${allowed.join(', ')}; got ${split}`);
  return value;
}

export function requireDataDir(dataset: string, dataDir: string | undefined, what: string): asserts dataDir is string {
  if (typeof dataDir !== 'string' || dataDir === '') {
    throw new DatasetArgumentError('dataDir', `${dataset} cannot be downloaded here: pass dataDir, ${what}`);
  }
  if (!isDirectory(dataDir))
    throw new DatasetArgumentError('dataDir', `${dataset}: ${dataDir} is not a folder (${what})`);
}

/** Code-point order, as Python's `sorted` (and so torchvision's ImageFolder) orders names. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Image files under `dir`, recursively, in code-point order. */
export function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) out.push(path);
    }
  };
  walk(dir);
  return out;
}

export function sizeOption(
  imageSize: number | readonly [number, number] | undefined,
  fallback: number,
): [number, number] {
  const size = imageSize ?? fallback;
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1)
    throw new DatasetArgumentError('imageSize', `expected positive integers, got ${String(imageSize)}`);
  return [h, w];
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function concatInt32(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The `height x width` window at (`top`, `left`) of an HWC image (the image itself when that is all of it). */
export function cropImage<T extends { data: Uint8Array; height: number; width: number; channels: number }>(
  image: T,
  top: number,
  left: number,
  height: number,
  width: number,
): T {
  if (top === 0 && left === 0 && height === image.height && width === image.width) return image;
  const c = image.channels;
  const out = new Uint8Array(height * width * c);
  for (let y = 0; y < height; y++)
    out.set(
      image.data.subarray(((top + y) * image.width + left) * c, ((top + y) * image.width + left + width) * c),
      y * width * c,
    );
  return { ...image, data: out, height, width };
}

export interface LabelledFiles {
  name: string;
  split: string;
  files: string[];
  labels: Int32Array;
  classNames: readonly string[];
  size: [number, number];
  fit: 'cover' | 'fill';
  mean: readonly number[];
  std: readonly number[];
  concurrency?: number;
}

/** A list of labelled image files, decoded (and resized to `size`) on demand. */
export function labelledFileDataset(init: LabelledFiles, loadSpec: LoadSpec): LazyDataset {
  const [h, w] = init.size;
  return new LazyDataset({
    name: init.name,
    split: init.split,
    task: 'classification',
    size: init.files.length,
    imageShape: [h, w, 3],
    targetShape: null,
    numClasses: init.classNames.length,
    classNames: init.classNames,
    mean: init.mean,
    std: init.std,
    concurrency: init.concurrency ?? 4,
    loadSpec,
    async readExample(index): Promise<Example> {
      const file = init.files[index]!;
      const image = await decodeImage(readBytes(file, init.name), file, { size: [h, w], fit: init.fit, channels: 3 });
      return { image: image.data, imageShape: [h, w, 3], label: init.labels[index]! };
    },
  });
}
