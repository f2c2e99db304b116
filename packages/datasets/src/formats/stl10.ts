import { DatasetArgumentError, DatasetFormatError } from '../errors';

export const STL10_SIZE = 96;
const PLANE = STL10_SIZE * STL10_SIZE;
const IMAGE_BYTES = 3 * PLANE;

/**
 * Parses STL-10 `*_X.bin`: uint8 images, each three planes (R, G, B) of 96 x 96 stored
 * column-major (MATLAB order). Returns HWC row-major images.
 */
export function parseStl10Images(
  bytes: Uint8Array,
  options: { file?: string } = {},
): { images: Uint8Array; count: number } {
  const file = options.file ?? '<stl10 images>';
  if (bytes.length === 0 || bytes.length % IMAGE_BYTES !== 0) {
    throw new DatasetFormatError(
      file,
      bytes.length - (bytes.length % IMAGE_BYTES),
      `a whole number (at least 1) of ${IMAGE_BYTES}-byte STL-10 images`,
      `${bytes.length} bytes`,
    );
  }
  const count = bytes.length / IMAGE_BYTES;
  const images = new Uint8Array(bytes.length);
  for (let n = 0; n < count; n++) {
    const base = n * IMAGE_BYTES;
    for (let c = 0; c < 3; c++) {
      const plane = base + c * PLANE;
      for (let x = 0; x < STL10_SIZE; x++) {
        for (let y = 0; y < STL10_SIZE; y++)
          images[base + (y * STL10_SIZE + x) * 3 + c] = bytes[plane + x * STL10_SIZE + y]!;
      }
    }
  }
  return { images, count };
}

/** Parses STL-10 `*_y.bin` (labels 1..10) into class ids 0..9. */
export function parseStl10Labels(bytes: Uint8Array, options: { file?: string; count?: number } = {}): Int32Array {
  const file = options.file ?? '<stl10 labels>';
  if (options.count !== undefined && bytes.length !== options.count) {
    throw new DatasetFormatError(
      file,
      Math.min(bytes.length, options.count),
      `${options.count} labels, one byte per image`,
      `${bytes.length} bytes`,
    );
  }
  const labels = new Int32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const v = bytes[i]!;
    if (v < 1 || v > 10) throw new DatasetFormatError(file, i, 'an STL-10 label in 1..10', String(v));
    labels[i] = v - 1;
  }
  return labels;
}

/** Writes STL-10 `*_X.bin` from HWC images (the inverse of {@link parseStl10Images}). */
export function encodeStl10Images(images: Uint8Array): Uint8Array {
  if (images.length % IMAGE_BYTES !== 0)
    throw new DatasetArgumentError('images', `length ${images.length} is not a multiple of 96 x 96 x 3`);
  const out = new Uint8Array(images.length);
  for (let n = 0; n < images.length / IMAGE_BYTES; n++) {
    const base = n * IMAGE_BYTES;
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < STL10_SIZE; x++) {
        for (let y = 0; y < STL10_SIZE; y++)
          out[base + c * PLANE + x * STL10_SIZE + y] = images[base + (y * STL10_SIZE + x) * 3 + c]!;
      }
    }
  }
  return out;
}

/** Writes STL-10 `*_y.bin` from class ids 0..9. */
export function encodeStl10Labels(labels: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(labels, (v) => {
    if (!(v >= 0 && v <= 9)) throw new DatasetArgumentError('labels', `STL-10 class ids are 0..9, got ${v}`);
    return v + 1;
  });
}
