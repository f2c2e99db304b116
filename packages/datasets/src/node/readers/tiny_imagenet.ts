// Tiny ImageNet (tiny-imagenet-200): train/<wnid>/images, val/images labelled by val_annotations.txt.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  DatasetArgumentError,
  DatasetFormatError,
  DatasetNotFoundError,
  textLines,
  type LazyDataset,
} from '@wavemix/datasets';
import { defineDataset } from '../descriptor';
import { findFirst, isDirectory, readBytes } from '../files';
import { byCodePoint, labelledFileDataset, listImages, requireDataDir } from '../reader_helpers';

export interface TinyImagenetOptions {
  /** The `tiny-imagenet-200` folder (wnids.txt, words.txt, train/, val/). */
  dataDir: string;
  split?: 'train' | 'val';
  /** Default 64, the native size. */
  imageSize?: number;
  concurrency?: number;
}

/**
 * Tiny ImageNet: classes are the sorted wnids of wnids.txt (the order ImageFolder gives the train
 * folders), named from words.txt; `val/images` is labelled from `val/val_annotations.txt`.
 */
export function loadTinyImagenet(options: TinyImagenetOptions): LazyDataset {
  requireDataDir('tiny-imagenet', options?.dataDir, 'the tiny-imagenet-200 folder');
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'val')
    throw new DatasetArgumentError('split', `tiny-imagenet splits are train and val; got ${String(split)}`);
  const dir = options.dataDir;
  const wnidsFile = findFirst('tiny-imagenet', [join(dir, 'wnids.txt')]);
  const wnids = textLines(readBytes(wnidsFile, 'tiny-imagenet'), wnidsFile)
    .map((l) => l.text)
    .sort(byCodePoint);
  if (wnids.length === 0) throw new DatasetFormatError(wnidsFile, 0, 'one wnid per line');
  const wordsFile = join(dir, 'words.txt');
  const words = new Map<string, string>();
  if (isDirectory(dir)) {
    try {
      for (const line of textLines(readBytes(wordsFile, 'tiny-imagenet'), wordsFile)) {
        const [wnid, text] = line.text.split('\t');
        if (wnid && text) words.set(wnid, text.split(',')[0]!.trim());
      }
    } catch (error) {
      if (!(error instanceof DatasetNotFoundError)) throw error;
    }
  }
  const classNames = wnids.map((w) => words.get(w) ?? w);
  const classOf = new Map(wnids.map((w, i) => [w, i]));
  const files: string[] = [];
  const labels: number[] = [];
  if (split === 'train') {
    wnids.forEach((wnid, id) => {
      const images = join(dir, 'train', wnid, 'images');
      if (!isDirectory(images)) throw new DatasetNotFoundError('tiny-imagenet', [images]);
      for (const file of listImages(images)) {
        files.push(file);
        labels.push(id);
      }
    });
  } else {
    const annotations = findFirst('tiny-imagenet', [join(dir, 'val', 'val_annotations.txt')]);
    const imagesDir = join(dir, 'val', 'images');
    const present = new Set(isDirectory(imagesDir) ? readdirSync(imagesDir) : []);
    for (const line of textLines(readBytes(annotations, 'tiny-imagenet'), annotations)) {
      const [fileName, wnid] = line.text.split('\t');
      const id = wnid === undefined ? undefined : classOf.get(wnid);
      if (!fileName || id === undefined)
        throw new DatasetFormatError(
          annotations,
          line.offset,
          `line ${line.line} as "<file>\\t<wnid listed in wnids.txt>\\t..."`,
          JSON.stringify(line.text.slice(0, 60)),
        );
      if (!present.has(fileName))
        throw new DatasetFormatError(
          annotations,
          line.offset,
          `an image ${fileName} in ${relative(dir, imagesDir)}`,
          'missing',
        );
      files.push(join(imagesDir, fileName));
      labels.push(id);
    }
    if (files.length === 0) throw new DatasetFormatError(annotations, 0, 'at least one annotated image');
  }
  const size = options.imageSize ?? 64;
  return labelledFileDataset(
    {
      name: 'tiny-imagenet',
      split,
      files,
      labels: Int32Array.from(labels),
      classNames,
      size: [size, size],
      fit: 'cover',
      ...TINY_IMAGENET.normalization!,
      concurrency: options.concurrency,
    },
    { name: 'tiny-imagenet', options: { ...options } },
  );
}

export const TINY_IMAGENET = defineDataset({
  name: 'tiny-imagenet',
  aliases: {},
  task: 'classification',
  inputShape: [64, 64, 3],
  splits: ['train', 'val'] as const,
  heldOutSplit: 'val',
  normalization: { mean: [0.4802, 0.4481, 0.3975], std: [0.277, 0.2691, 0.2821] },
  // wnids.txt, named from words.txt.
  classNames: null,
  load: loadTinyImagenet,
});
