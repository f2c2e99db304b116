// Datasets of image files decoded with sharp: ImageFolder trees (ImageNet, Places-365,
// iNaturalist), Tiny ImageNet, Cityscapes and DIV2K-style super-resolution folders.
import { readdirSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import {
  CITYSCAPES_CLASSES,
  CITYSCAPES_IGNORE_INDEX,
  cityscapesTrainIds,
  DatasetArgumentError,
  DatasetFormatError,
  DatasetNotFoundError,
  LazyDataset,
  NORMALIZATION,
  Rng,
  textLines,
  type Example,
  type ImageShape,
} from '@wavemix/datasets';
import { requireDataDir } from './classic';
import { findFirst, isDirectory, readBytes } from './files';
import { decodeImage, downscaleBicubic } from './image_codec';

/** Extensions an ImageFolder picks up (case-insensitive). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff'];

/** Code-point order, as Python's `sorted` (and so torchvision's ImageFolder) orders names. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase())) out.push(path);
    }
  };
  walk(dir);
  return out;
}

function sizeOption(imageSize: number | readonly [number, number] | undefined, fallback: number): [number, number] {
  const size = imageSize ?? fallback;
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) throw new DatasetArgumentError('imageSize', `expected positive integers, got ${String(imageSize)}`);
  return [h, w];
}

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

/** A list of labelled image files, decoded on demand. */
function fileDataset(
  init: { name: string; split: string; files: string[]; labels: Int32Array; classNames: readonly string[]; size: [number, number]; fit: 'cover' | 'fill'; mean: readonly number[]; std: readonly number[]; concurrency?: number },
  loadSpec: { name: string; options: Record<string, unknown> },
): LazyDataset {
  const [h, w] = init.size;
  return new LazyDataset({
    name: init.name,
    split: init.split,
    task: 'classification',
    size: init.files.length,
    imageShape: [h, w, 3],
    targetShape: null,
    numClasses: init.classNames.length,
    classNames: init.classNames,
    mean: init.mean,
    std: init.std,
    concurrency: init.concurrency ?? 4,
    loadSpec,
    async readExample(index): Promise<Example> {
      const file = init.files[index]!;
      const image = await decodeImage(readBytes(file, init.name), file, { size: [h, w], fit: init.fit, channels: 3 });
      return { image: image.data, imageShape: [h, w, 3], label: init.labels[index]! };
    },
  });
}

/** torchvision-style ImageFolder: classes are the sorted sub-folder names, images found recursively. */
export function loadImageFolder(options: ImageFolderOptions): LazyDataset {
  requireDataDir(options?.name ?? 'image-folder', options?.dataDir, 'a folder with one sub-folder per class');
  const name = options.name ?? 'image-folder';
  const root = options.split && isDirectory(join(options.dataDir, options.split)) ? join(options.dataDir, options.split) : options.dataDir;
  const found = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort(byCodePoint);
  const classNames = options.classNames ? [...options.classNames] : found;
  if (classNames.length === 0) throw new DatasetNotFoundError(name, [join(root, '<class>/<image>')], 'An ImageFolder root has one sub-folder per class.');
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
  if (extra.length > 0) throw new DatasetArgumentError('classNames', `${root} has folders that are not classes: ${extra.slice(0, 5).join(', ')}`);
  if (files.length === 0) throw new DatasetNotFoundError(name, [join(root, '<class>/*.jpg|png')]);
  const stats = options.mean && options.std ? { mean: options.mean, std: options.std } : NORMALIZATION.imagenet!;
  return fileDataset(
    { name, split: options.split ?? 'train', files, labels: Int32Array.from(labels), classNames, size: sizeOption(options.imageSize, 224), fit: options.fit ?? 'cover', ...stats, concurrency: options.concurrency },
    { name: 'image-folder', options: { ...options } },
  );
}

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
  if (split !== 'train' && split !== 'val') throw new DatasetArgumentError('split', `tiny-imagenet splits are train and val; got ${String(split)}`);
  const dir = options.dataDir;
  const wnidsFile = findFirst('tiny-imagenet', [join(dir, 'wnids.txt')]);
  const wnids = textLines(readBytes(wnidsFile, 'tiny-imagenet'), wnidsFile).map((l) => l.text).sort(byCodePoint);
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
      if (!fileName || id === undefined) throw new DatasetFormatError(annotations, line.offset, `line ${line.line} as "<file>\\t<wnid listed in wnids.txt>\\t..."`, JSON.stringify(line.text.slice(0, 60)));
      if (!present.has(fileName)) throw new DatasetFormatError(annotations, line.offset, `an image ${fileName} in ${relative(dir, imagesDir)}`, 'missing');
      files.push(join(imagesDir, fileName));
      labels.push(id);
    }
    if (files.length === 0) throw new DatasetFormatError(annotations, 0, 'at least one annotated image');
  }
  const size = options.imageSize ?? 64;
  return fileDataset(
    { name: 'tiny-imagenet', split, files, labels: Int32Array.from(labels), classNames, size: [size, size], fit: 'cover', ...NORMALIZATION['tiny-imagenet']!, concurrency: options.concurrency },
    { name: 'tiny-imagenet', options: { ...options } },
  );
}

export interface Places365Options {
  /** Folder with `categories_places365.txt`, `places365_train_standard.txt`, `places365_val.txt` and the image folders. */
  dataDir: string;
  split?: 'train' | 'val';
  /** Folder of the split's images, relative to dataDir (default 'data_256' for train, 'val_256' for val). */
  imagesDir?: string;
  imageSize?: number | readonly [number, number];
  concurrency?: number;
}

/** Places-365 (standard) from its official file lists, as torchvision's Places365 reads it. */
export function loadPlaces365(options: Places365Options): LazyDataset {
  requireDataDir('places365', options?.dataDir, 'the folder with categories_places365.txt and the file lists');
  const split = options.split ?? 'train';
  const dir = options.dataDir;
  const categoriesFile = findFirst('places365', [join(dir, 'categories_places365.txt')]);
  const classNames: string[] = [];
  for (const line of textLines(readBytes(categoriesFile, 'places365'), categoriesFile)) {
    const [path, id] = line.text.split(/\s+/);
    if (!path || Number(id) !== classNames.length) throw new DatasetFormatError(categoriesFile, line.offset, `line ${line.line} as "/x/category ${classNames.length}"`, JSON.stringify(line.text.slice(0, 60)));
    classNames.push(path.replace(/^\/[a-z]\//, ''));
  }
  const listFile = findFirst('places365', [join(dir, split === 'train' ? 'places365_train_standard.txt' : 'places365_val.txt')]);
  const imagesDir = join(dir, options.imagesDir ?? (split === 'train' ? 'data_256' : 'val_256'));
  const files: string[] = [];
  const labels: number[] = [];
  for (const line of textLines(readBytes(listFile, 'places365'), listFile)) {
    const [path, id] = line.text.split(/\s+/);
    const label = Number(id);
    if (!path || !Number.isInteger(label) || label < 0 || label >= classNames.length) {
      throw new DatasetFormatError(listFile, line.offset, `line ${line.line} as "<image path> <class id 0..${classNames.length - 1}>"`, JSON.stringify(line.text.slice(0, 60)));
    }
    files.push(join(imagesDir, path.replace(/^\//, '')));
    labels.push(label);
  }
  return fileDataset(
    { name: 'places365', split, files, labels: Int32Array.from(labels), classNames, size: sizeOption(options.imageSize, 224), fit: 'cover', ...NORMALIZATION.imagenet!, concurrency: options.concurrency },
    { name: 'places365', options: { ...options } },
  );
}

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
      pairs.push({ image: join(cityDir, file), label: join(options.dataDir, 'gtFine', split, city, `${stem}_gtFine_labelIds.png`) });
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
    ...NORMALIZATION.imagenet!,
    concurrency: options.concurrency ?? 2,
    loadSpec: { name: 'cityscapes', options: { ...options } },
    async readExample(index): Promise<Example> {
      const { image: imageFile, label: labelFile } = pairs[index]!;
      const imageBytes = readBytes(imageFile, 'cityscapes');
      const labelBytes = readBytes(labelFile, 'cityscapes');
      const full = await decodeImage(labelBytes, labelFile, { labels: true, channels: 1 });
      const image = await decodeImage(imageBytes, imageFile, { channels: 3 });
      if (full.height !== image.height || full.width !== image.width) {
        throw new DatasetFormatError(labelFile, 16, `a ${image.width} x ${image.height} label map like ${basename(imageFile)}`, `${full.width} x ${full.height}`);
      }
      const resized = h === image.height && w === image.width;
      const img = resized ? image : await decodeImage(imageBytes, imageFile, { channels: 3, size: [h, w], fit: 'fill', kernel: 'linear' });
      const lab = resized ? full : await decodeImage(labelBytes, labelFile, { labels: true, channels: 1, size: [h, w], fit: 'fill', kernel: 'nearest' });
      return { image: img.data, imageShape: [h, w, 3], target: cityscapesTrainIds(lab.data), targetShape: [h, w] };
    },
  });
}

export interface SuperResolutionOptions {
  /** DIV2K layout: `dataDir/DIV2K_<split>_HR` and `dataDir/DIV2K_<split>_LR_bicubic/X<scale>`. */
  dataDir?: string;
  split?: 'train' | 'valid';
  /** Or explicit folders: HR images, and optionally LR images named `<stem>x<scale>.png`. */
  hrDir?: string;
  lrDir?: string;
  scale?: number;
  /**
   * HR patch size for training (a multiple of scale); the patch position is drawn from the
   * pipeline's per-example seed. Without it, whole images (batch size 1).
   */
  patchSize?: number;
  concurrency?: number;
  name?: string;
}

/** (LR, HR) pairs: LR from the LR folder, or made by bicubic downscaling of HR when there is none. */
export function loadSuperResolution(options: SuperResolutionOptions): LazyDataset {
  const scale = options.scale ?? 2;
  if (!Number.isInteger(scale) || scale < 2) throw new DatasetArgumentError('scale', `expected an integer >= 2, got ${scale}`);
  const split = options.split ?? 'train';
  const name = options.name ?? 'div2k';
  let hrDir = options.hrDir;
  let lrDir = options.lrDir;
  if (!hrDir) {
    requireDataDir(name, options.dataDir, 'the DIV2K folder, or hrDir');
    hrDir = join(options.dataDir!, `DIV2K_${split}_HR`);
    const lrCandidate = join(options.dataDir!, `DIV2K_${split}_LR_bicubic`, `X${scale}`);
    if (!lrDir && isDirectory(lrCandidate)) lrDir = lrCandidate;
  }
  if (!isDirectory(hrDir)) throw new DatasetNotFoundError(name, [hrDir]);
  if (lrDir && !isDirectory(lrDir)) throw new DatasetNotFoundError(name, [lrDir]);
  const files = listImages(hrDir);
  if (files.length === 0) throw new DatasetNotFoundError(name, [join(hrDir, '*.png')]);
  const patch = options.patchSize;
  if (patch !== undefined && (!Number.isInteger(patch) || patch < scale || patch % scale !== 0)) {
    throw new DatasetArgumentError('patchSize', `expected a positive multiple of the scale ${scale}, got ${patch}`);
  }
  const lrPatch = patch === undefined ? 0 : patch / scale;
  const imageShape: ImageShape | null = patch === undefined ? null : [lrPatch, lrPatch, 3];
  return new LazyDataset({
    name,
    split,
    task: 'super-resolution',
    size: files.length,
    imageShape,
    targetShape: patch === undefined ? null : [patch, patch, 3],
    numClasses: 0,
    classNames: [],
    mean: [0.4488, 0.4371, 0.404],
    std: [1, 1, 1],
    scale,
    concurrency: options.concurrency ?? 2,
    loadSpec: { name: 'div2k', options: { ...options } },
    async readExample(index, seed): Promise<Example> {
      const hrFile = files[index]!;
      let hr = await decodeImage(readBytes(hrFile, name), hrFile, { channels: 3 });
      // Crop HR to a multiple of the scale so LR and HR align exactly.
      hr = cropImage(hr, 0, 0, hr.height - (hr.height % scale), hr.width - (hr.width % scale));
      let lr;
      if (lrDir) {
        const stem = basename(hrFile, extname(hrFile));
        const lrFile = findFirst(name, [join(lrDir, `${stem}x${scale}.png`), join(lrDir, `${stem}.png`)]);
        lr = await decodeImage(readBytes(lrFile, name), lrFile, { channels: 3 });
        if (lr.height !== hr.height / scale || lr.width !== hr.width / scale) {
          throw new DatasetFormatError(lrFile, 16, `an LR image of ${hr.width / scale} x ${hr.height / scale} (HR / ${scale})`, `${lr.width} x ${lr.height}`);
        }
      } else {
        lr = await downscaleBicubic(hr, scale);
      }
      if (patch !== undefined) {
        if (lr.height < lrPatch || lr.width < lrPatch) throw new DatasetFormatError(hrFile, 16, `an image of at least ${patch} x ${patch}`, `${hr.width} x ${hr.height}`);
        const rng = new Rng(seed);
        const y = rng.int(lr.height - lrPatch + 1);
        const x = rng.int(lr.width - lrPatch + 1);
        lr = cropImage(lr, y, x, lrPatch, lrPatch);
        hr = cropImage(hr, y * scale, x * scale, patch, patch);
      }
      return { image: lr.data, imageShape: [lr.height, lr.width, 3], target: hr.data, targetShape: [hr.height, hr.width, 3] };
    },
  });
}

function cropImage<T extends { data: Uint8Array; height: number; width: number; channels: number }>(image: T, top: number, left: number, height: number, width: number): T {
  if (top === 0 && left === 0 && height === image.height && width === image.width) return image;
  const c = image.channels;
  const out = new Uint8Array(height * width * c);
  for (let y = 0; y < height; y++) out.set(image.data.subarray(((top + y) * image.width + left) * c, ((top + y) * image.width + left + width) * c), y * width * c);
  return { ...image, data: out, height, width };
}
