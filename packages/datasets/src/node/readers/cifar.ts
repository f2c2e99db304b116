// CIFAR-10 and CIFAR-100, binary version: fixed-size records (label byte(s), then R, G, B planes).
import { join } from 'node:path';
import { CIFAR10_CLASSES } from '@wavemix/core';
import { InMemoryDataset, parseCifarBatch, parseLabelNames } from '@wavemix/datasets';
import { defineDataset } from '../descriptor';
import { findFirst, isDirectory, readBytes } from '../files';
import { checkSplit, concatBytes, concatInt32, requireDataDir, type TrainTest } from '../reader_helpers';

export interface CifarOptions {
  /** `cifar-10-batches-bin` / `cifar-100-binary`, or the folder that contains it. */
  dataDir: string;
  split?: TrainTest;
}

export interface Cifar100Options extends CifarOptions {
  /** 100 fine classes (default) or 20 coarse superclasses. */
  labels?: 'fine' | 'coarse';
}

/** CIFAR-10 binary version: `data_batch_1..5.bin`, `test_batch.bin`, `batches.meta.txt`. */
export function loadCifar10(options: CifarOptions): InMemoryDataset {
  requireDataDir('cifar10', options?.dataDir, 'the cifar-10-batches-bin folder');
  const split = checkSplit('cifar10', options.split, CIFAR10.splits);
  const dir = isDirectory(join(options.dataDir, 'cifar-10-batches-bin'))
    ? join(options.dataDir, 'cifar-10-batches-bin')
    : options.dataDir;
  const files =
    split === 'train' ? [1, 2, 3, 4, 5].map((i) => join(dir, `data_batch_${i}.bin`)) : [join(dir, 'test_batch.bin')];
  const batches = files.map((file) =>
    parseCifarBatch(readBytes(findFirst('cifar10', [file]), 'cifar10'), { variant: 10, file }),
  );
  const namesFile = findFirst('cifar10', [join(dir, 'batches.meta.txt')]);
  const classNames = parseLabelNames(readBytes(namesFile, 'cifar10'), { file: namesFile, expected: 10 });
  return new InMemoryDataset({
    name: 'cifar10',
    split,
    task: 'classification',
    imageShape: [32, 32, 3],
    images: concatBytes(batches.map((b) => b.images)),
    labels: concatInt32(batches.map((b) => b.labels)),
    numClasses: 10,
    classNames,
    ...CIFAR10.normalization!,
    loadSpec: { name: 'cifar10', options: { ...options } },
  });
}

/** CIFAR-100 binary version: `train.bin`, `test.bin`, `fine_label_names.txt`, `coarse_label_names.txt`. */
export function loadCifar100(options: Cifar100Options): InMemoryDataset {
  requireDataDir('cifar100', options?.dataDir, 'the cifar-100-binary folder');
  const split = checkSplit('cifar100', options.split, CIFAR100.splits);
  const dir = isDirectory(join(options.dataDir, 'cifar-100-binary'))
    ? join(options.dataDir, 'cifar-100-binary')
    : options.dataDir;
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
    ...CIFAR100.normalization!,
    loadSpec: { name: 'cifar100', options: { ...options } },
  });
}

export const CIFAR10 = defineDataset({
  name: 'cifar10',
  aliases: {},
  task: 'classification',
  inputShape: [32, 32, 3],
  splits: ['train', 'test'] as const,
  heldOutSplit: 'test',
  // The official WaveMix CIFAR scripts' statistics.
  normalization: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  // The reader takes the names from batches.meta.txt; these are the same.
  classNames: CIFAR10_CLASSES,
  load: loadCifar10,
});

export const CIFAR100 = defineDataset({
  name: 'cifar100',
  aliases: {},
  task: 'classification',
  inputShape: [32, 32, 3],
  splits: ['train', 'test'] as const,
  heldOutSplit: 'test',
  normalization: { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] },
  // fine_label_names.txt or coarse_label_names.txt.
  classNames: null,
  load: loadCifar100,
});
