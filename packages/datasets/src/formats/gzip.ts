import { gzipSync, Inflate } from 'fflate';
import { DatasetFormatError } from '../errors';
import { crc32 } from './crc32';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A gunzip implementation: returns the decompressed bytes or throws {@link DatasetFormatError}. */
export type Gunzip = (bytes: Uint8Array, file: string, maxOutputBytes: number) => Uint8Array;

/** Default cap on decompressed size (larger than any IDX file of the supported datasets). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 2 ** 31 - 1;

/**
 * Parses a gzip member header (RFC 1952) and returns the offset where the deflate data starts.
 * Everything is checked against the byte count before it is used.
 */
export function parseGzipHeader(bytes: Uint8Array, file: string): number {
  const need = (offset: number, count: number, what: string) => {
    if (offset + count > bytes.length) {
      throw new DatasetFormatError(
        file,
        bytes.length,
        `${what} (${count} bytes at ${offset}); the gzip file is truncated`,
      );
    }
  };
  need(0, 18, 'a gzip header and trailer');
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b)
    throw new DatasetFormatError(file, 0, 'gzip magic 1f 8b', hex(bytes, 0, 2));
  if (bytes[2] !== 8) throw new DatasetFormatError(file, 2, 'gzip compression method 8 (deflate)', String(bytes[2]));
  const flags = bytes[3]!;
  if (flags & 0xe0)
    throw new DatasetFormatError(file, 3, 'gzip flags with reserved bits clear', `0x${flags.toString(16)}`);
  let offset = 10;
  if (flags & 4) {
    need(offset, 2, 'gzip extra-field length');
    const length = bytes[offset]! | (bytes[offset + 1]! << 8);
    offset += 2;
    need(offset, length, 'gzip extra field');
    offset += length;
  }
  for (const [bit, what] of [
    [8, 'file name'],
    [16, 'comment'],
  ] as const) {
    if (flags & bit) {
      const end = bytes.indexOf(0, offset);
      if (end < 0) throw new DatasetFormatError(file, bytes.length, `a zero-terminated gzip ${what}`);
      offset = end + 1;
    }
  }
  if (flags & 2) offset += 2;
  need(offset, 8, 'deflate data and the gzip trailer');
  return offset;
}

/**
 * Decompresses a single-member gzip file with fflate, streaming so that memory follows the real
 * output (the trailer's size field is only compared, never trusted for an allocation), capped at
 * `maxOutputBytes`, and checks the CRC-32 and length in the trailer.
 */
export const gunzip: Gunzip = (bytes, file, maxOutputBytes) => {
  const start = parseGzipHeader(bytes, file);
  const end = bytes.length - 8;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let crc = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > maxOutputBytes) {
      throw new DatasetFormatError(file, start, `at most ${maxOutputBytes} decompressed bytes`, 'more');
    }
    crc = crc32(chunk, crc);
    chunks.push(chunk);
  });
  const step = 1 << 16;
  try {
    for (let offset = start; offset < end; offset += step) {
      inflater.push(bytes.subarray(offset, Math.min(end, offset + step)), offset + step >= end);
    }
    if (start >= end) inflater.push(new Uint8Array(0), true);
  } catch (error) {
    if (error instanceof DatasetFormatError) throw error;
    throw new DatasetFormatError(file, start, 'a valid deflate stream', (error as Error).message);
  }
  const expectedCrc = readU32LE(bytes, end);
  const expectedSize = readU32LE(bytes, end + 4);
  if (crc !== expectedCrc) {
    throw new DatasetFormatError(file, end, `CRC-32 ${hex32(crc)} of the decompressed data`, hex32(expectedCrc));
  }
  if (total % 2 ** 32 !== expectedSize) {
    throw new DatasetFormatError(
      file,
      end + 4,
      `size ${total % 2 ** 32} (mod 2^32) of the decompressed data`,
      String(expectedSize),
    );
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
};

/** gzip-compresses bytes (for writers). */
export function gzip(bytes: Uint8Array, level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 6): Uint8Array {
  return gzipSync(bytes, { level, mtime: 0 });
}

function readU32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

export function hex(bytes: Uint8Array, offset: number, count: number): string {
  return Array.from(bytes.subarray(offset, offset + count), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
