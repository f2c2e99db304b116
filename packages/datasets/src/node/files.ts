import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  DatasetFormatError,
  DatasetNotFoundError,
  parseGzipHeader,
  parseIdx,
  type Gunzip,
  type IdxArray,
} from '@wavemix/datasets';

/** `require` relative to this package (works in the ESM build through tsup's __filename shim). */
export const packageRequire = createRequire(__filename);

/**
 * gunzip with Node's zlib (native, several times faster than the browser path): the header is
 * checked first, output is capped, and zlib itself verifies the CRC-32 and length.
 */
export const nodeGunzip: Gunzip = (bytes, file, maxOutputBytes) => {
  const start = parseGzipHeader(bytes, file);
  try {
    return gunzipSync(bytes, { maxOutputLength: maxOutputBytes });
  } catch (error) {
    const message = (error as Error).message;
    if (
      (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ||
      /Cannot create a Buffer larger|too large/i.test(message)
    ) {
      throw new DatasetFormatError(file, start, `at most ${maxOutputBytes} decompressed bytes`, 'more');
    }
    const trailer = /incorrect data check|incorrect length check/.test(message);
    throw new DatasetFormatError(
      file,
      trailer ? bytes.length - 8 : start,
      trailer ? 'a CRC-32 and length matching the decompressed data' : 'a valid deflate stream',
      message,
    );
  }
};

/** Reads a whole file; a missing file is a {@link DatasetNotFoundError} naming the dataset. */
export function readBytes(path: string, dataset: string): Uint8Array {
  try {
    const buffer = readFileSync(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw new DatasetNotFoundError(dataset, [path]);
    throw error;
  }
}

/** The first existing path among candidates, or a {@link DatasetNotFoundError} listing them all. */
export function findFirst(dataset: string, candidates: string[], hint = ''): string {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  throw new DatasetNotFoundError(dataset, candidates, hint);
}

/** `name` or `name.gz` in `dir`. */
export function findMaybeGzipped(dataset: string, dir: string, name: string, hint = ''): string {
  return findFirst(dataset, [join(dir, name), join(dir, `${name}.gz`)], hint);
}

/** Reads and parses an IDX file (gzipped or not). */
export function readIdxFile(path: string, dataset: string): IdxArray {
  return parseIdx(readBytes(path, dataset), { file: path, gunzip: nodeGunzip });
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
