// EMNIST (any of the six splits): IDX files like MNIST's, stored transposed, labels mapped through a mapping file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  computeMeanStd,
  DatasetArgumentError,
  EMNIST_SPLITS,
  idxClassification,
  InMemoryDataset,
  parseEmnistMapping,
  transposeImages,
  type EmnistSplit,
} from '@wavemix/datasets';
import { defineDataset } from '../descriptor';
import { findFirst, findMaybeGzipped, readBytes, readIdxFile } from '../files';
import { checkSplit, requireDataDir, type TrainTest } from '../reader_helpers';

export interface EmnistOptions {
  /** Folder with `emnist-<variant>-*-ubyte[.gz]` and `emnist-<variant>-mapping.txt` (or its `gzip/` subfolder). */
  dataDir: string;
  variant: EmnistSplit;
  split?: TrainTest;
  /** Normalisation statistics; by default computed from the loaded images (EMNIST has no standard values). */
  mean?: number[];
  std?: number[];
}

/** EMNIST (any of the six splits): images transposed back to MNIST orientation, labels mapped through the mapping file. */
export async function loadEmnist(options: EmnistOptions): Promise<InMemoryDataset> {
  requireDataDir('emnist', options?.dataDir, 'the folder with emnist-<variant>-train-images-idx3-ubyte.gz etc.');
  const variant = options.variant;
  if (!EMNIST_SPLITS.includes(variant))
    throw new DatasetArgumentError('variant', `expected one of ${EMNIST_SPLITS.join(', ')}, got ${String(variant)}`);
  const split = checkSplit('emnist', options.split, EMNIST.splits);
  const dirs = [options.dataDir, join(options.dataDir, 'gzip')];
  const dir = dirs.find((d) => existsSync(join(d, `emnist-${variant}-mapping.txt`))) ?? options.dataDir;
  const name = 'emnist';
  const mappingFile = findFirst(name, [join(dir, `emnist-${variant}-mapping.txt`)]);
  const mapping = parseEmnistMapping(readBytes(mappingFile, name), { file: mappingFile });
  const imagesFile = findMaybeGzipped(name, dir, `emnist-${variant}-${split}-images-idx3-ubyte`);
  const labelsFile = findMaybeGzipped(name, dir, `emnist-${variant}-${split}-labels-idx1-ubyte`);
  const labelsName = labelsFile.endsWith('.gz') ? `${labelsFile} (decompressed)` : labelsFile;
  const parsed = idxClassification(readIdxFile(imagesFile, name), readIdxFile(labelsFile, name), {
    imagesFile,
    labelsFile: labelsName,
    labelValues: mapping.labels,
  });
  const images = transposeImages(parsed.images, parsed.count, parsed.height, parsed.width);
  const base = {
    name,
    split,
    task: 'classification' as const,
    imageShape: [parsed.width, parsed.height, 1] as const,
    images,
    labels: parsed.labels,
    numClasses: mapping.labels.length,
    classNames: mapping.names,
    loadSpec: { name: 'emnist', options: { ...options } },
  };
  const stats =
    options.mean && options.std
      ? { mean: options.mean, std: options.std }
      : await computeMeanStd(new InMemoryDataset({ ...base, mean: [0], std: [1] }));
  return new InMemoryDataset({ ...base, ...stats });
}

export const EMNIST = defineDataset({
  name: 'emnist',
  // 'emnist-letters', 'emnist-balanced', ...: the variant in the name.
  aliases: Object.fromEntries(EMNIST_SPLITS.map((variant) => [`emnist-${variant}`, { variant }])),
  task: 'classification',
  inputShape: [28, 28, 1],
  splits: ['train', 'test'] as const,
  heldOutSplit: 'test',
  normalization: null,
  classNames: null,
  load: loadEmnist,
});
