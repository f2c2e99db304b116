// Galaxy10 DECals (Galaxy10_DECals.h5: `images` uint8 [N, 256, 256, 3], `ans` uint8 [N]), read by
// slices through h5wasm so the 2.5 GB file is never loaded whole.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  computeMeanStd,
  DatasetArgumentError,
  DatasetFormatError,
  DatasetNotFoundError,
  checkIndices,
  splitIndices,
  type Dataset,
  type ExampleBatch,
  type ImageShape,
  type LoadSpec,
} from '@wavemix/datasets';
import { GALAXY10_CLASSES } from '@wavemix/core';
import { defineDataset } from '../descriptor';
import { Hdf5Error, Hdf5File, type Hdf5DatasetInfo } from '../hdf5';

/** HDF5 filters the h5wasm build decodes (deflate, shuffle, fletcher32, nbit, scaleoffset). */
export const SUPPORTED_HDF5_FILTERS: Record<number, string> = {
  1: 'deflate',
  2: 'shuffle',
  3: 'fletcher32',
  5: 'nbit',
  6: 'scaleoffset',
};

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export interface Galaxy10Options {
  /** The .h5 file, or `dataDir` containing Galaxy10_DECals.h5. */
  path?: string;
  dataDir?: string;
  /** The file has no official split: a seeded split gives 'train' and 'test' (or 'all'). */
  split?: 'train' | 'test' | 'all';
  /** Seed of the split (default 0). */
  seed?: number;
  /** Fraction held out as 'test' (default 0.1). */
  testFraction?: number;
  imagesKey?: string;
  labelsKey?: string;
  /** Normalisation statistics; by default computed from a seeded sample of the training split. */
  mean?: number[];
  std?: number[];
  /** Examples sampled to compute mean and std (default 512). */
  statsSample?: number;
}

/** Describes an HDF5 error briefly: the first and the innermost failing call. */
export function summarizeHdf5Error(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const calls = [...message.matchAll(/in (\w+\(\)): ([^\n]+)/g)].map((m) => `${m[1]} ${m[2]}`);
  if (calls.length === 0) return message.split('\n')[0]!.slice(0, 300);
  return calls.length === 1 ? calls[0]! : `${calls[0]}; ... ${calls[calls.length - 1]}`;
}

function checkSignature(path: string): number {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const header = new Uint8Array(8);
    // The superblock may follow a user block of 512 * 2^k bytes.
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      readSync(fd, header, 0, 8, offset);
      if (HDF5_SIGNATURE.every((b, i) => header[i] === b)) return size;
    }
  } finally {
    closeSync(fd);
  }
  throw new DatasetFormatError(
    path,
    0,
    'the HDF5 signature 89 48 44 46 0d 0a 1a 0a',
    size < 8 ? `${size} bytes` : undefined,
  );
}

function checkFilters(path: string, key: string, info: Hdf5DatasetInfo): void {
  for (const filter of info.filters) {
    if (!(filter.id in SUPPORTED_HDF5_FILTERS)) {
      throw new DatasetFormatError(
        path,
        0,
        `dataset '${key}' compressed with filters h5wasm decodes (${Object.values(SUPPORTED_HDF5_FILTERS).join(', ')})`,
        `HDF5 filter ${filter.id}${filter.name ? ` (${filter.name})` : ''}`,
      );
    }
  }
}

/** A split of Galaxy10_DECals.h5 read by slices. */
export class Galaxy10Dataset implements Dataset {
  readonly name = 'galaxy10';
  readonly task = 'classification' as const;
  readonly targetShape = null;
  readonly numClasses = 10;
  readonly classNames: readonly string[] = GALAXY10_CLASSES;
  readonly size: number;
  mean: readonly number[] = [0.5, 0.5, 0.5];
  std: readonly number[] = [0.25, 0.25, 0.25];

  constructor(
    readonly path: string,
    readonly split: string,
    readonly imageShape: ImageShape,
    private readonly file: Hdf5File,
    private readonly imagesKey: string,
    readonly indices: Int32Array,
    private readonly allLabels: Int32Array,
    readonly loadSpec: LoadSpec,
  ) {
    this.size = indices.length;
  }

  async read(indices: ArrayLike<number>): Promise<ExampleBatch> {
    checkIndices(indices, this.size, `galaxy10 (${this.split})`);
    const n = indices.length;
    const [h, w, c] = this.imageShape;
    const per = h * w * c;
    const images = new Uint8Array(n * per);
    const labels = new Int32Array(n);
    // Read runs of consecutive file rows with one slice each.
    const rows = Array.from(indices, (i, k) => ({ row: this.indices[i]!, k })).sort((a, b) => a.row - b.row);
    for (let start = 0; start < rows.length; ) {
      let end = start + 1;
      while (end < rows.length && rows[end]!.row === rows[end - 1]!.row + 1) end++;
      const first = rows[start]!.row;
      const count = rows[end - 1]!.row - first + 1;
      let data: ArrayBufferView | null;
      try {
        data = await this.file.slice(this.imagesKey, first, first + count);
      } catch (error) {
        throw new DatasetFormatError(
          this.path,
          0,
          `readable rows ${first}..${first + count - 1} of '${this.imagesKey}'`,
          summarizeHdf5Error(error),
        );
      }
      if (!(data instanceof Uint8Array) || data.length !== count * per) {
        throw new DatasetFormatError(
          this.path,
          0,
          `${count * per} uint8 values for rows ${first}..${first + count - 1}`,
          data ? `${(data as Uint8Array).length ?? '?'} values` : 'none',
        );
      }
      for (let r = start; r < end; r++) {
        const { row, k } = rows[r]!;
        images.set(data.subarray((row - first) * per, (row - first + 1) * per), k * per);
        labels[k] = this.allLabels[row]!;
      }
      start = end;
    }
    return { images, imageShape: this.imageShape, labels };
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Opens Galaxy10_DECals.h5 (or a file of the same layout) and returns one split of it. */
export async function loadGalaxy10(options: Galaxy10Options = {}): Promise<Galaxy10Dataset> {
  const path = options.path ?? (options.dataDir ? join(options.dataDir, 'Galaxy10_DECals.h5') : undefined);
  if (!path)
    throw new DatasetArgumentError(
      'path',
      'galaxy10 cannot be downloaded here: pass path (Galaxy10_DECals.h5) or dataDir',
    );
  const split = options.split ?? 'train';
  if (!GALAXY10.splits.includes(split))
    throw new DatasetArgumentError('split', `galaxy10 splits are train, test, all; got ${split}`);
  let fileSize: number;
  try {
    fileSize = checkSignature(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw new DatasetNotFoundError('galaxy10', [path]);
    throw error;
  }
  const imagesKey = options.imagesKey ?? 'images';
  const labelsKey = options.labelsKey ?? 'ans';
  let file: Hdf5File;
  try {
    file = await Hdf5File.open(path);
  } catch (error) {
    if (error instanceof DatasetArgumentError) throw error;
    throw new DatasetFormatError(path, 0, 'an HDF5 file h5wasm can open', summarizeHdf5Error(error));
  }
  try {
    const describe = async (key: string) => {
      try {
        return await file.describe(key);
      } catch (error) {
        throw new DatasetFormatError(path, 0, `a readable dataset '${key}'`, summarizeHdf5Error(error));
      }
    };
    const images = await describe(imagesKey);
    const labels = await describe(labelsKey);
    if (!images || !labels) {
      const keys = await file.keys().catch(() => [] as string[]);
      throw new DatasetFormatError(path, 0, `datasets '${imagesKey}' and '${labelsKey}'`, `keys [${keys.join(', ')}]`);
    }
    const shape = images.shape ?? [];
    if (
      images.type !== 0 ||
      images.size !== 1 ||
      images.signed ||
      shape.length !== 4 ||
      ![1, 3].includes(shape[3]!) ||
      shape[1]! < 1 ||
      shape[2]! < 1 ||
      shape[1]! > 8192 ||
      shape[2]! > 8192
    ) {
      throw new DatasetFormatError(path, 0, `'${imagesKey}' as uint8 [N, H, W, 3]`, `${images.dtype} [${shape}]`);
    }
    const n = shape[0]!;
    if (labels.type !== 0 || (labels.shape ?? []).length !== 1 || labels.shape![0] !== n || labels.size > 8) {
      throw new DatasetFormatError(
        path,
        0,
        `'${labelsKey}' as integers [${n}], one per image`,
        `${labels.dtype} [${labels.shape ?? []}]`,
      );
    }
    checkFilters(path, imagesKey, images);
    checkFilters(path, labelsKey, labels);
    // Sizes must be possible for the file: raw data cannot exceed the file, deflate cannot expand more than ~1032x.
    const total = images.totalSize;
    const limit = images.filters.length === 0 ? fileSize : fileSize * 1100;
    if (total !== n * shape[1]! * shape[2]! * shape[3]! || total > limit) {
      throw new DatasetFormatError(
        path,
        0,
        `a '${imagesKey}' size that fits the ${fileSize}-byte file`,
        `${total} values`,
      );
    }
    let rawLabels: ArrayBufferView | null;
    try {
      rawLabels = await file.slice(labelsKey, 0, n);
    } catch (error) {
      throw new DatasetFormatError(path, 0, `a readable '${labelsKey}'`, summarizeHdf5Error(error));
    }
    const labelValues = rawLabels as unknown as ArrayLike<number | bigint> | null;
    if (!labelValues || labelValues.length !== n)
      throw new DatasetFormatError(path, 0, `${n} labels`, `${labelValues?.length ?? 0}`);
    const allLabels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = Number(labelValues[i]);
      if (!(v >= 0 && v <= 9 && Number.isInteger(v)))
        throw new DatasetFormatError(
          path,
          0,
          `'${labelsKey}' values in 0..9 (Galaxy10 classes)`,
          `${labelsKey}[${i}] = ${v}`,
        );
      allLabels[i] = v;
    }
    const seed = options.seed ?? 0;
    const testFraction = options.testFraction ?? 0.1;
    const parts =
      n > 1
        ? splitIndices(n, { validationFraction: testFraction, seed })
        : { train: Int32Array.of(0), validation: new Int32Array(0) };
    const indices =
      split === 'all'
        ? Int32Array.from({ length: n }, (_, i) => i)
        : split === 'train'
          ? parts.train
          : parts.validation;
    const imageShape: ImageShape = [shape[1]!, shape[2]!, shape[3]!];
    const spec: LoadSpec = { name: 'galaxy10', options: { ...options, path } };
    const dataset = new Galaxy10Dataset(path, split, imageShape, file, imagesKey, indices, allLabels, spec);
    if (options.mean && options.std) {
      dataset.mean = options.mean;
      dataset.std = options.std;
    } else {
      const train =
        split === 'train'
          ? dataset
          : new Galaxy10Dataset(path, 'train', imageShape, file, imagesKey, parts.train, allLabels, spec);
      const stats = await computeMeanStd(train, { maxExamples: options.statsSample ?? 512, seed, batchSize: 32 });
      dataset.mean = stats.mean;
      dataset.std = stats.std;
    }
    return dataset;
  } catch (error) {
    await file.close().catch(() => {});
    if (error instanceof Hdf5Error)
      throw new DatasetFormatError(path, 0, 'a readable HDF5 file', summarizeHdf5Error(error));
    throw error;
  }
}

export const GALAXY10 = defineDataset({
  name: 'galaxy10',
  aliases: {},
  task: 'classification',
  inputShape: [256, 256, 3],
  splits: ['train', 'test', 'all'] as const,
  // A seeded 90/10 split of the file (it has no official one).
  heldOutSplit: 'test',
  // Computed from a seeded sample of the training split.
  normalization: null,
  classNames: GALAXY10_CLASSES,
  load: loadGalaxy10,
});
