// Places-365 (standard) from its official file lists, as torchvision's Places365 reads it.
import { join } from 'node:path';
import { DatasetFormatError, textLines, type LazyDataset } from '@wavemix/datasets';
import { defineDataset } from '../descriptor';
import { findFirst, readBytes } from '../files';
import { labelledFileDataset, requireDataDir, sizeOption } from '../reader_helpers';
import { IMAGENET_NORMALIZATION } from './image_folder';

export interface Places365Options {
  /** Folder with `categories_places365.txt`, `places365_train_standard.txt`, `places365_val.txt` and the image folders. */
  dataDir: string;
  split?: 'train' | 'val';
  /** Folder of the split's images, relative to dataDir (default 'data_256' for train, 'val_256' for val). */
  imagesDir?: string;
  imageSize?: number | readonly [number, number];
  concurrency?: number;
}

/** Places-365 (standard): `categories_places365.txt` names the classes, the split's list file labels the images. */
export function loadPlaces365(options: Places365Options): LazyDataset {
  requireDataDir('places365', options?.dataDir, 'the folder with categories_places365.txt and the file lists');
  const split = options.split ?? 'train';
  const dir = options.dataDir;
  const categoriesFile = findFirst('places365', [join(dir, 'categories_places365.txt')]);
  const classNames: string[] = [];
  for (const line of textLines(readBytes(categoriesFile, 'places365'), categoriesFile)) {
    const [path, id] = line.text.split(/\s+/);
    if (!path || Number(id) !== classNames.length)
      throw new DatasetFormatError(
        categoriesFile,
        line.offset,
        `line ${line.line} as "/x/category ${classNames.length}"`,
        JSON.stringify(line.text.slice(0, 60)),
      );
    classNames.push(path.replace(/^\/[a-z]\//, ''));
  }
  const listFile = findFirst('places365', [
    join(dir, split === 'train' ? 'places365_train_standard.txt' : 'places365_val.txt'),
  ]);
  const imagesDir = join(dir, options.imagesDir ?? (split === 'train' ? 'data_256' : 'val_256'));
  const files: string[] = [];
  const labels: number[] = [];
  for (const line of textLines(readBytes(listFile, 'places365'), listFile)) {
    const [path, id] = line.text.split(/\s+/);
    const label = Number(id);
    if (!path || !Number.isInteger(label) || label < 0 || label >= classNames.length) {
      throw new DatasetFormatError(
        listFile,
        line.offset,
        `line ${line.line} as "<image path> <class id 0..${classNames.length - 1}>"`,
        JSON.stringify(line.text.slice(0, 60)),
      );
    }
    files.push(join(imagesDir, path.replace(/^\//, '')));
    labels.push(label);
  }
  return labelledFileDataset(
    {
      name: 'places365',
      split,
      files,
      labels: Int32Array.from(labels),
      classNames,
      size: sizeOption(options.imageSize, 224),
      fit: 'cover',
      ...PLACES365.normalization!,
      concurrency: options.concurrency,
    },
    { name: 'places365', options: { ...options } },
  );
}

export const PLACES365 = defineDataset({
  name: 'places365',
  aliases: {},
  task: 'classification',
  inputShape: [224, 224, 3],
  splits: ['train', 'val'] as const,
  heldOutSplit: 'val',
  normalization: IMAGENET_NORMALIZATION,
  // categories_places365.txt.
  classNames: null,
  load: loadPlaces365,
});
