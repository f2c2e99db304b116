// torchvision-style ImageFolder trees (ImageNet, iNaturalist, any `root/<class>/*.jpg`), decoded with sharp.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetArgumentError, DatasetNotFoundError, type LazyDataset } from '@wavemix/datasets';
import { defineDataset, type Normalization } from '../descriptor';
import { isDirectory } from '../files';
import { byCodePoint, labelledFileDataset, listImages, requireDataDir, sizeOption } from '../reader_helpers';

/** ImageNet's statistics, which the reference scripts also use for Places-365 and Cityscapes. */
export const IMAGENET_NORMALIZATION: Normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export interface ImageFolderOptions {
  /** Root with one sub-folder per class (or `dataDir/split` when that exists). */
  dataDir: string;
  split?: string;
  /** Output size (default 224): the shorter side is scaled and the centre cropped ('cover'), or the image stretched ('fill'). */
  imageSize?: number | readonly [number, number];
  fit?: 'cover' | 'fill';
  /** Fix the class list (e.g. the training split's) instead of reading the sub-folders. */
  classNames?: readonly string[];
  name?: string;
  mean?: number[];
  std?: number[];
  concurrency?: number;
}

/** torchvision-style ImageFolder: classes are the sorted sub-folder names, images found recursively. */
export function loadImageFolder(options: ImageFolderOptions): LazyDataset {
  requireDataDir(options?.name ?? 'image-folder', options?.dataDir, 'a folder with one sub-folder per class');
  const name = options.name ?? 'image-folder';
  const root =
    options.split && isDirectory(join(options.dataDir, options.split))
      ? join(options.dataDir, options.split)
      : options.dataDir;
  const found = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(byCodePoint);
  const classNames = options.classNames ? [...options.classNames] : found;
  if (classNames.length === 0)
    throw new DatasetNotFoundError(
      name,
      [join(root, '<class>/<image>')],
      'An ImageFolder root has one sub-folder per class.',
    );
  const files: string[] = [];
  const labels: number[] = [];
  classNames.forEach((cls, id) => {
    const dir = join(root, cls);
    if (!isDirectory(dir)) {
      if (options.classNames) return; // a class absent from this split
      throw new DatasetNotFoundError(name, [dir]);
    }
    for (const file of listImages(dir)) {
      files.push(file);
      labels.push(id);
    }
  });
  const extra = found.filter((c) => !classNames.includes(c));
  if (extra.length > 0)
    throw new DatasetArgumentError(
      'classNames',
      `${root} has folders that are not classes: ${extra.slice(0, 5).join(', ')}`,
    );
  if (files.length === 0) throw new DatasetNotFoundError(name, [join(root, '<class>/*.jpg|png')]);
  const stats = options.mean && options.std ? { mean: options.mean, std: options.std } : IMAGENET_NORMALIZATION;
  return labelledFileDataset(
    {
      name,
      split: options.split ?? 'train',
      files,
      labels: Int32Array.from(labels),
      classNames,
      size: sizeOption(options.imageSize, 224),
      fit: options.fit ?? 'cover',
      ...stats,
      concurrency: options.concurrency,
    },
    { name: 'image-folder', options: { ...options } },
  );
}

const imageFolderFacts = {
  task: 'classification',
  inputShape: [224, 224, 3],
  splits: ['train', 'val', 'test'],
  normalization: IMAGENET_NORMALIZATION,
  // The sorted sub-folder names.
  classNames: null,
} as const;

export const IMAGE_FOLDER = defineDataset({
  ...imageFolderFacts,
  name: 'image-folder',
  aliases: {},
  heldOutSplit: 'test',
  load: loadImageFolder,
});

/** ImageNet (ILSVRC-2012) as an ImageFolder with `train/` and `val/` regrouped by class. */
export const IMAGENET = defineDataset({
  ...imageFolderFacts,
  name: 'imagenet',
  aliases: {},
  heldOutSplit: 'val',
  load: (options: ImageFolderOptions) => loadImageFolder({ ...options, name: options.name ?? 'imagenet' }),
});

export const INATURALIST = defineDataset({
  ...imageFolderFacts,
  name: 'inaturalist',
  aliases: {},
  heldOutSplit: 'val',
  load: (options: ImageFolderOptions) => loadImageFolder({ ...options, name: options.name ?? 'inaturalist' }),
});
