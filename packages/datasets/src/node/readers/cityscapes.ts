// Cityscapes fine annotations: `*_leftImg8bit.png` with `*_gtFine_labelIds.png` mapped to the 19 train ids.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CITYSCAPES_CLASSES } from '@wavemix/core';
import {
  CITYSCAPES_IGNORE_INDEX,
  cityscapesTrainIds,
  DatasetFormatError,
  DatasetNotFoundError,
  LazyDataset,
  type Example,
} from '@wavemix/datasets';
import { defineDataset } from '../descriptor';
import { isDirectory, readBytes } from '../files';
import { decodeImage } from '../image_codec';
import { byCodePoint, requireDataDir, sizeOption } from '../reader_helpers';
import { IMAGENET_NORMALIZATION } from './image_folder';

export interface CityscapesOptions {
  /** Folder with `leftImg8bit/` and `gtFine/`. */
  dataDir: string;
  split?: 'train' | 'val' | 'test';
  /** Output `[height, width]` (default the native [1024, 2048]); images bilinear, labels nearest. */
  imageSize?: readonly [number, number];
  concurrency?: number;
}

/** Cityscapes fine annotations: `*_leftImg8bit.png` with `*_gtFine_labelIds.png` mapped to the 19 train ids (255 ignored). */
export function loadCityscapes(options: CityscapesOptions): LazyDataset {
  requireDataDir('cityscapes', options?.dataDir, 'the folder with leftImg8bit/ and gtFine/');
  const split = options.split ?? 'train';
  const imagesRoot = join(options.dataDir, 'leftImg8bit', split);
  if (!isDirectory(imagesRoot)) throw new DatasetNotFoundError('cityscapes', [imagesRoot]);
  const pairs: Array<{ image: string; label: string }> = [];
  for (const city of readdirSync(imagesRoot).sort(byCodePoint)) {
    const cityDir = join(imagesRoot, city);
    if (!isDirectory(cityDir)) continue;
    for (const file of readdirSync(cityDir).sort(byCodePoint)) {
      if (!file.endsWith('_leftImg8bit.png')) continue;
      const stem = file.slice(0, -'_leftImg8bit.png'.length);
      pairs.push({
        image: join(cityDir, file),
        label: join(options.dataDir, 'gtFine', split, city, `${stem}_gtFine_labelIds.png`),
      });
    }
  }
  if (pairs.length === 0) throw new DatasetNotFoundError('cityscapes', [join(imagesRoot, '<city>/*_leftImg8bit.png')]);
  const size = options.imageSize ?? ([1024, 2048] as const);
  const [h, w] = sizeOption(size, 1024);
  return new LazyDataset({
    name: 'cityscapes',
    split,
    task: 'segmentation',
    size: pairs.length,
    imageShape: [h, w, 3],
    targetShape: [h, w],
    numClasses: 19,
    classNames: CITYSCAPES_CLASSES,
    ignoreIndex: CITYSCAPES_IGNORE_INDEX,
    ...CITYSCAPES.normalization!,
    concurrency: options.concurrency ?? 2,
    loadSpec: { name: 'cityscapes', options: { ...options } },
    async readExample(index): Promise<Example> {
      const { image: imageFile, label: labelFile } = pairs[index]!;
      const imageBytes = readBytes(imageFile, 'cityscapes');
      const labelBytes = readBytes(labelFile, 'cityscapes');
      const full = await decodeImage(labelBytes, labelFile, { labels: true, channels: 1 });
      const image = await decodeImage(imageBytes, imageFile, { channels: 3 });
      if (full.height !== image.height || full.width !== image.width) {
        throw new DatasetFormatError(
          labelFile,
          16,
          `a ${image.width} x ${image.height} label map like ${basename(imageFile)}`,
          `${full.width} x ${full.height}`,
        );
      }
      const resized = h === image.height && w === image.width;
      const img = resized
        ? image
        : await decodeImage(imageBytes, imageFile, { channels: 3, size: [h, w], fit: 'fill', kernel: 'linear' });
      const lab = resized
        ? full
        : await decodeImage(labelBytes, labelFile, {
            labels: true,
            channels: 1,
            size: [h, w],
            fit: 'fill',
            kernel: 'nearest',
          });
      return { image: img.data, imageShape: [h, w, 3], target: cityscapesTrainIds(lab.data), targetShape: [h, w] };
    },
  });
}

export const CITYSCAPES = defineDataset({
  name: 'cityscapes',
  aliases: {},
  task: 'segmentation',
  inputShape: [1024, 2048, 3],
  splits: ['train', 'val', 'test'] as const,
  heldOutSplit: 'val',
  normalization: IMAGENET_NORMALIZATION,
  classNames: CITYSCAPES_CLASSES,
  load: loadCityscapes,
});
