import { DatasetFormatError } from '../errors';
import { textLines } from './text';
import type { IdxArray } from './idx';

export const EMNIST_SPLITS = ['byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist'] as const;
export type EmnistSplit = (typeof EMNIST_SPLITS)[number];

export interface EmnistMapping {
  /** The label values found in the IDX files, in class-id order (letters: 1..26). */
  labels: number[];
  /** Class names: the characters of each label ("A/a" where a label covers both cases). */
  names: string[];
}

/** Parses `emnist-<split>-mapping.txt`: one `label code [code ...]` line per class (ASCII codes). */
export function parseEmnistMapping(bytes: Uint8Array | string, options: { file?: string } = {}): EmnistMapping {
  const file = options.file ?? '<emnist mapping>';
  const entries: Array<{ label: number; name: string }> = [];
  for (const line of textLines(bytes, file)) {
    const fields = line.text.split(/\s+/);
    const numbers = fields.map(Number);
    if (fields.length < 2 || numbers.some((v) => !Number.isInteger(v) || v < 0 || v > 0x10ffff)) {
      throw new DatasetFormatError(
        file,
        line.offset,
        `line ${line.line} as "label code [code ...]"`,
        JSON.stringify(line.text.slice(0, 40)),
      );
    }
    if (entries.some((e) => e.label === numbers[0]))
      throw new DatasetFormatError(file, line.offset, `label ${numbers[0]} listed once`, 'a duplicate');
    entries.push({
      label: numbers[0]!,
      name: numbers
        .slice(1)
        .map((c) => String.fromCodePoint(c))
        .join('/'),
    });
  }
  if (entries.length === 0) throw new DatasetFormatError(file, 0, 'at least one mapping line');
  entries.sort((a, b) => a.label - b.label);
  return { labels: entries.map((e) => e.label), names: entries.map((e) => e.name) };
}

/** Transposes each `h x w` image (EMNIST stores images transposed relative to MNIST). */
export function transposeImages(data: Uint8Array, count: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let n = 0; n < count; n++) {
    const base = n * h * w;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[base + x * h + y] = data[base + y * w + x]!;
  }
  return out;
}

/**
 * Checks an IDX image file and label file against each other (uint8 `[N, H, W]` images, uint8
 * `[N]` labels) and maps each label through `labelValues` (the label value of each class id;
 * default: identity for `numClasses`). A label outside the classes is a {@link DatasetFormatError}
 * at its byte offset.
 */
export function idxClassification(
  images: IdxArray,
  labels: IdxArray,
  options: { imagesFile: string; labelsFile: string; numClasses?: number; labelValues?: readonly number[] },
): { images: Uint8Array; labels: Int32Array; count: number; height: number; width: number } {
  const { imagesFile, labelsFile } = options;
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new DatasetFormatError(
      imagesFile,
      2,
      'uint8 images of rank 3 (type 08, rank 3)',
      `${images.dtype} rank ${images.shape.length}`,
    );
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new DatasetFormatError(
      labelsFile,
      2,
      'uint8 labels of rank 1 (type 08, rank 1)',
      `${labels.dtype} rank ${labels.shape.length}`,
    );
  }
  const [count, height, width] = images.shape as [number, number, number];
  if (labels.shape[0] !== count)
    throw new DatasetFormatError(
      labelsFile,
      4,
      `${count} labels, one per image of ${imagesFile}`,
      String(labels.shape[0]),
    );
  const lookup = new Int32Array(256).fill(-1);
  if (options.labelValues) options.labelValues.forEach((v, id) => (lookup[v] = id));
  else for (let id = 0; id < (options.numClasses ?? 256); id++) lookup[id] = id;
  const classCount = options.labelValues?.length ?? options.numClasses ?? 256;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = labels.data[i]!;
    const id = lookup[v]!;
    if (id < 0) {
      const range = options.labelValues
        ? `one of the ${classCount} mapped label values`
        : `a label in 0..${classCount - 1}`;
      throw new DatasetFormatError(labelsFile, 8 + i, range, String(v));
    }
    out[i] = id;
  }
  return { images: images.data as Uint8Array, labels: out, count, height, width };
}
