import { DatasetArgumentError, DatasetFormatError } from '../errors';

export type CifarVariant = 10 | 100;

export interface CifarBatch {
  /** `[count, 32, 32, 3]` HWC uint8 (converted from the file's R, G, B planes). */
  images: Uint8Array;
  /** CIFAR-10 labels, or CIFAR-100 fine labels. */
  labels: Int32Array;
  /** CIFAR-100 coarse (superclass) labels. */
  coarseLabels?: Int32Array;
  count: number;
}

const PIXELS = 32 * 32;

export function cifarRecordSize(variant: CifarVariant): number {
  return variant === 10 ? 1 + 3 * PIXELS : 2 + 3 * PIXELS;
}

/**
 * Parses a CIFAR binary batch: 3073-byte records (label, R plane, G plane, B plane) for
 * CIFAR-10, 3074-byte records (coarse label, fine label, planes) for CIFAR-100.
 */
export function parseCifarBatch(bytes: Uint8Array, options: { variant: CifarVariant; file?: string }): CifarBatch {
  const { variant } = options;
  const file = options.file ?? `<cifar-${variant} bytes>`;
  if (variant !== 10 && variant !== 100)
    throw new DatasetArgumentError('variant', `expected 10 or 100, got ${String(variant)}`);
  const recordSize = cifarRecordSize(variant);
  if (bytes.length === 0 || bytes.length % recordSize !== 0) {
    throw new DatasetFormatError(
      file,
      bytes.length - (bytes.length % recordSize),
      `a whole number (at least 1) of ${recordSize}-byte CIFAR-${variant} records`,
      `${bytes.length} bytes`,
    );
  }
  const count = bytes.length / recordSize;
  const images = new Uint8Array(count * PIXELS * 3);
  const labels = new Int32Array(count);
  const coarseLabels = variant === 100 ? new Int32Array(count) : undefined;
  const fineClasses = variant === 10 ? 10 : 100;
  for (let n = 0; n < count; n++) {
    const record = n * recordSize;
    let planes = record + 1;
    if (coarseLabels) {
      const coarse = bytes[record]!;
      if (coarse >= 20) throw new DatasetFormatError(file, record, 'a CIFAR-100 coarse label in 0..19', String(coarse));
      coarseLabels[n] = coarse;
      planes = record + 2;
    }
    const label = bytes[planes - 1]!;
    if (label >= fineClasses)
      throw new DatasetFormatError(
        file,
        planes - 1,
        `a CIFAR-${variant} label in 0..${fineClasses - 1}`,
        String(label),
      );
    labels[n] = label;
    const base = n * PIXELS * 3;
    for (let p = 0; p < PIXELS; p++) {
      images[base + 3 * p] = bytes[planes + p]!;
      images[base + 3 * p + 1] = bytes[planes + PIXELS + p]!;
      images[base + 3 * p + 2] = bytes[planes + 2 * PIXELS + p]!;
    }
  }
  return coarseLabels ? { images, labels, coarseLabels, count } : { images, labels, count };
}

/** Writes a CIFAR binary batch (the inverse of {@link parseCifarBatch}). */
export function encodeCifarBatch(batch: Omit<CifarBatch, 'count'>, variant: CifarVariant): Uint8Array {
  const count = batch.labels.length;
  if (batch.images.length !== count * PIXELS * 3) {
    throw new DatasetArgumentError('images', `expected ${count} x 32 x 32 x 3 values, got ${batch.images.length}`);
  }
  if (variant === 100 && batch.coarseLabels?.length !== count) {
    throw new DatasetArgumentError('coarseLabels', `CIFAR-100 needs ${count} coarse labels`);
  }
  const recordSize = cifarRecordSize(variant);
  const out = new Uint8Array(count * recordSize);
  for (let n = 0; n < count; n++) {
    const record = n * recordSize;
    let planes = record + 1;
    if (variant === 100) {
      out[record] = batch.coarseLabels![n]!;
      planes = record + 2;
    }
    out[planes - 1] = batch.labels[n]!;
    const base = n * PIXELS * 3;
    for (let p = 0; p < PIXELS; p++) {
      out[planes + p] = batch.images[base + 3 * p]!;
      out[planes + PIXELS + p] = batch.images[base + 3 * p + 1]!;
      out[planes + 2 * PIXELS + p] = batch.images[base + 3 * p + 2]!;
    }
  }
  return out;
}
