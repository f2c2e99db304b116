// STL-10 binary version: column-major 96x96 planes, labels 1..10 (shifted to 0..9).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { STL10_CLASSES } from '@wavemix/core';
import { InMemoryDataset, parseLabelNames, parseStl10Images, parseStl10Labels } from '@wavemix/datasets';
import { defineDataset } from '../descriptor';
import { findFirst, isDirectory, readBytes } from '../files';
import { checkSplit, requireDataDir } from '../reader_helpers';

export interface Stl10Options {
  /** `stl10_binary`, or the folder that contains it. */
  dataDir: string;
  /** 'unlabeled' has labels -1 and cannot feed a classification pipeline. */
  split?: 'train' | 'test' | 'unlabeled';
}

/** STL-10 binary version: `train_X.bin`, `train_y.bin`, `test_*`, `unlabeled_X.bin`, `class_names.txt`. */
export function loadStl10(options: Stl10Options): InMemoryDataset {
  requireDataDir('stl10', options?.dataDir, 'the stl10_binary folder');
  const split = checkSplit('stl10', options.split, STL10.splits);
  const dir = isDirectory(join(options.dataDir, 'stl10_binary'))
    ? join(options.dataDir, 'stl10_binary')
    : options.dataDir;
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
    : [...STL10_CLASSES];
  return new InMemoryDataset({
    name: 'stl10',
    split,
    task: 'classification',
    imageShape: [96, 96, 3],
    images,
    labels,
    numClasses: 10,
    classNames,
    ...STL10.normalization!,
    loadSpec: { name: 'stl10', options: { ...options } },
  });
}

export const STL10 = defineDataset({
  name: 'stl10',
  aliases: {},
  task: 'classification',
  inputShape: [96, 96, 3],
  splits: ['train', 'test', 'unlabeled'] as const,
  heldOutSplit: 'test',
  normalization: { mean: [0.4467, 0.4398, 0.4066], std: [0.2603, 0.2566, 0.2713] },
  // class_names.txt when present (the same names).
  classNames: STL10_CLASSES,
  load: loadStl10,
});
