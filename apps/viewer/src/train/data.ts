/**
 * Training data for the Train panel: 8-bit HWC images of one size with class ids, split into
 * train and test. From the bundled MNIST sample (gzipped IDX) or from images in class subfolders
 * (a dropped or chosen folder: `<root>/<class>/<image>`). Batches come in a seeded order, so the
 * same seed gives the same batches on every backend.
 */
import { parseIdx } from '@wavemix/datasets';
import { ViewerInputError } from '../errors';

export interface ImageSet {
  /** `[n, height, width, channels]` bytes. */
  images: Uint8Array;
  labels: Int32Array;
  count: number;
}

export interface TrainingData {
  name: string;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  train: ImageSet;
  test: ImageSet;
}

export const MNIST_SAMPLE_URL = 'datasets/mnist-sample/';

async function fetchIdx(base: string, file: string) {
  const url = new URL(file, new URL(base, location.href)).href;
  const response = await fetch(url);
  if (!response.ok) throw new ViewerInputError(`${file}: HTTP ${response.status}`);
  return parseIdx(new Uint8Array(await response.arrayBuffer()), { file });
}

/** The bundled MNIST sample: 2,000 training and 500 test digits, 28×28 grey. */
export async function loadMnistSample(base = MNIST_SAMPLE_URL): Promise<TrainingData> {
  const split = async (name: string): Promise<ImageSet> => {
    const [images, labels] = await Promise.all([
      fetchIdx(base, `${name}-images-idx3-ubyte.gz`),
      fetchIdx(base, `${name}-labels-idx1-ubyte.gz`),
    ]);
    return { images: images.data as Uint8Array, labels: Int32Array.from(labels.data), count: images.shape[0]! };
  };
  const [train, test] = await Promise.all([split('train'), split('test')]);
  return {
    name: 'MNIST sample',
    height: 28,
    width: 28,
    channels: 1,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    train,
    test,
  };
}

/** The class of a file from its path inside the chosen folder (`root/class/image.png`). */
export function classOfPath(path: string): string | null {
  const parts = path.split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2]! : null;
}

/**
 * Images in class subfolders, decoded and resized to `height`×`width` with `channels` (1: grey,
 * 3: RGB); every `testEvery`-th image of each class is held out for testing.
 */
export async function loadImageFolder(
  files: File[],
  height: number,
  width: number,
  channels: number,
  testEvery = 5,
): Promise<TrainingData> {
  const images = files.filter((f) => /\.(png|jpe?g|gif|bmp|webp)$/i.test(f.name));
  const byClass = new Map<string, File[]>();
  for (const file of images) {
    const name = classOfPath(file.webkitRelativePath || file.name);
    if (name === null) continue;
    byClass.set(name, [...(byClass.get(name) ?? []), file]);
  }
  if (byClass.size < 2) {
    throw new ViewerInputError(
      `choose a folder with one subfolder of images per class (found ${byClass.size} class${byClass.size === 1 ? '' : 'es'} among ${files.length} files)`,
    );
  }
  const classNames = [...byClass.keys()].sort();
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const size = height * width * channels;
  const sets = {
    train: [] as Array<{ pixels: Uint8Array; label: number }>,
    test: [] as Array<{ pixels: Uint8Array; label: number }>,
  };
  for (const [label, name] of classNames.entries()) {
    for (const [i, file] of byClass.get(name)!.entries()) {
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(file);
      } catch {
        throw new ViewerInputError(`${file.webkitRelativePath || file.name} is not an image this browser can decode`);
      }
      context.clearRect(0, 0, width, height);
      context.drawImage(bitmap, 0, 0, width, height);
      bitmap.close();
      const rgba = context.getImageData(0, 0, width, height).data;
      const pixels = new Uint8Array(size);
      for (let p = 0; p < height * width; p++) {
        if (channels === 1) pixels[p] = Math.round((rgba[4 * p]! + rgba[4 * p + 1]! + rgba[4 * p + 2]!) / 3);
        else for (let c = 0; c < channels; c++) pixels[p * channels + c] = rgba[4 * p + c]!;
      }
      sets[i % testEvery === testEvery - 1 ? 'test' : 'train'].push({ pixels, label });
    }
  }
  const pack = (list: Array<{ pixels: Uint8Array; label: number }>): ImageSet => {
    const out = new Uint8Array(list.length * size);
    list.forEach((item, i) => out.set(item.pixels, i * size));
    return { images: out, labels: Int32Array.from(list, (item) => item.label), count: list.length };
  };
  const root = (images[0]?.webkitRelativePath || '').split('/')[0] || 'folder';
  return {
    name: `${root} (${images.length} images)`,
    height,
    width,
    channels,
    classNames,
    train: pack(sets.train),
    test: pack(sets.test),
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same batches everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 0..n-1 shuffled (Fisher-Yates) with `random`. */
export function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
