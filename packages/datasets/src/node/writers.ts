// Writers for the on-disk formats (fixtures, exports). Every file is written atomically.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeCifarBatch, encodeIdx, encodePng, type CifarVariant, type IdxArray } from '@wavemix/datasets';
import { writeFileAtomic } from '@wavemix/core/node';
import { writeHdf5, type Hdf5WriteItem } from './hdf5';

export function writeIdxFile(path: string, array: IdxArray, options: { gzip?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, encodeIdx(array, options));
}

export function writeCifarFile(
  path: string,
  batch: { images: Uint8Array; labels: Int32Array; coarseLabels?: Int32Array },
  variant: CifarVariant,
): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, encodeCifarBatch(batch, variant));
}

export function writePngFile(
  path: string,
  pixels: Uint8Array,
  options: { width: number; height: number; channels: 1 | 2 | 3 | 4 },
): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, encodePng(pixels, options));
}

export function writeTextFile(path: string, lines: readonly string[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, new TextEncoder().encode(lines.map((l) => `${l}\n`).join('')));
}

export { writeHdf5, type Hdf5WriteItem };

/** Writes a Galaxy10_DECals.h5-style file: `images` uint8 [N, H, W, C] chunked per image and deflated, `ans` uint8 [N]. */
export async function writeGalaxy10File(
  path: string,
  images: Uint8Array,
  labels: ArrayLike<number>,
  imageShape: readonly [number, number, number],
  options: { compression?: 'gzip' | number | null; libver?: string | [string, string] } = {},
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const n = labels.length;
  const compression = options.compression === undefined ? 'gzip' : options.compression;
  await writeHdf5(
    path,
    [
      {
        name: 'images',
        data: images,
        shape: [n, ...imageShape],
        dtype: '<B',
        chunks: [1, ...imageShape],
        ...(compression === null ? {} : { compression, compressionLevel: 4 }),
      },
      { name: 'ans', data: Uint8Array.from(labels), shape: [n], dtype: '<B' },
    ],
    options.libver ? { libver: options.libver } : {},
  );
}
