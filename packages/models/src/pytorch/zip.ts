/**
 * A reader for the zip container `torch.save` writes (and for zips in general, as far as state
 * dicts need): central directory, ZIP64, stored and deflated entries, CRC-32 checked. Hostile
 * archives are refused before anything is inflated: entries must not overlap or share a local
 * header (the zip-bomb trick of many directory entries over one deflated stream), and the bytes
 * inflated in total stay under `maxInflatedBytes`.
 */
import { WaveMixBudgetError } from '@wavemix/core';
import { inflateSync } from 'fflate';
import { WaveMixZipError } from '../errors';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
  /** Where the entry's (compressed) data starts, after its local header. */
  dataOffset: number;
}

export interface ZipOptions {
  /** Total bytes `read` may inflate from deflated entries (stored entries are views, not counted). Default 1 GiB. */
  maxInflatedBytes?: number;
}

export const DEFAULT_MAX_INFLATED_BYTES = 2 ** 30;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export class ZipArchive {
  readonly entries: ReadonlyMap<string, ZipEntry>;
  private readonly view: DataView;
  private readonly maxInflatedBytes: number;
  private inflatedBytes = 0;

  constructor(
    private readonly bytes: Uint8Array,
    options: ZipOptions = {},
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.maxInflatedBytes = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
    this.entries = this.readCentralDirectory();
  }

  private u16(offset: number): number {
    this.need(offset, 2);
    return this.view.getUint16(offset, true);
  }

  private u32(offset: number): number {
    this.need(offset, 4);
    return this.view.getUint32(offset, true);
  }

  private u64(offset: number): number {
    this.need(offset, 8);
    const value = this.view.getBigUint64(offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new WaveMixZipError(`64-bit field ${value} is too large`, offset);
    return Number(value);
  }

  private need(offset: number, length: number, entry?: string): void {
    if (offset < 0 || offset + length > this.bytes.length) {
      throw new WaveMixZipError(
        `${length} bytes needed but the file has ${this.bytes.length}; truncated?`,
        offset,
        entry,
      );
    }
  }

  private findEndOfCentralDirectory(): number {
    const last = this.bytes.length - 22;
    const first = Math.max(0, last - 0xffff);
    for (let offset = last; offset >= first; offset--) {
      if (this.view.getUint32(offset, true) === EOCD) return offset;
    }
    throw new WaveMixZipError('no end-of-central-directory record; not a complete zip file', Math.max(0, last));
  }

  private readCentralDirectory(): Map<string, ZipEntry> {
    if (this.bytes.length < 22) throw new WaveMixZipError(`file is only ${this.bytes.length} bytes`, 0);
    const eocd = this.findEndOfCentralDirectory();
    let count = this.u16(eocd + 10);
    let offset = this.u32(eocd + 16);
    if (count === 0xffff || offset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || this.u32(locator) !== ZIP64_LOCATOR) {
        throw new WaveMixZipError('ZIP64 fields without a ZIP64 locator', eocd);
      }
      const zip64 = this.u64(locator + 8);
      if (this.u32(zip64) !== ZIP64_EOCD)
        throw new WaveMixZipError('bad ZIP64 end-of-central-directory signature', zip64);
      count = this.u64(zip64 + 32);
      offset = this.u64(zip64 + 48);
    }
    const directoryStart = offset;
    const entries = new Map<string, ZipEntry>();
    const decoder = new TextDecoder();
    for (let i = 0; i < count; i++) {
      if (this.u32(offset) !== CENTRAL)
        throw new WaveMixZipError(`central directory entry ${i} has a bad signature`, offset);
      const flags = this.u16(offset + 8);
      const method = this.u16(offset + 10);
      const crc32 = this.u32(offset + 16);
      let compressedSize = this.u32(offset + 20);
      let size = this.u32(offset + 24);
      const nameLength = this.u16(offset + 28);
      const extraLength = this.u16(offset + 30);
      const commentLength = this.u16(offset + 32);
      let localHeaderOffset = this.u32(offset + 42);
      this.need(offset + 46, nameLength + extraLength);
      const name = decoder.decode(this.bytes.subarray(offset + 46, offset + 46 + nameLength));
      if (flags & 1) throw new WaveMixZipError('encrypted entries are not supported', offset, name);
      // ZIP64 extended information: the 8-byte values present are those whose 32-bit field is 0xffffffff.
      let extra = offset + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd) {
        const id = this.u16(extra);
        const length = this.u16(extra + 2);
        if (id === 0x0001) {
          let field = extra + 4;
          if (size === 0xffffffff) {
            size = this.u64(field);
            field += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = this.u64(field);
            field += 8;
          }
          if (localHeaderOffset === 0xffffffff) {
            localHeaderOffset = this.u64(field);
            field += 8;
          }
        }
        extra += 4 + length;
      }
      if (entries.has(name)) throw new WaveMixZipError('is listed twice in the central directory', offset, name);
      if (this.u32(localHeaderOffset) !== LOCAL)
        throw new WaveMixZipError('bad local header signature', localHeaderOffset, name);
      const dataOffset = localHeaderOffset + 30 + this.u16(localHeaderOffset + 26) + this.u16(localHeaderOffset + 28);
      entries.set(name, { name, method, compressedSize, size, crc32, localHeaderOffset, dataOffset });
      offset = extraEnd + commentLength;
    }
    this.refuseOverlaps([...entries.values()], directoryStart);
    return entries;
  }

  /** Each entry's local header and data must lie before the central directory and apart from every other entry's. */
  private refuseOverlaps(entries: ZipEntry[], directoryStart: number): void {
    entries.sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    let previous: ZipEntry | undefined;
    for (const entry of entries) {
      const end = entry.dataOffset + entry.compressedSize;
      if (end > directoryStart) {
        throw new WaveMixZipError(
          `data [${entry.dataOffset}, ${end}) runs into the central directory at ${directoryStart}`,
          entry.localHeaderOffset,
          entry.name,
        );
      }
      if (previous && entry.localHeaderOffset < previous.dataOffset + previous.compressedSize) {
        throw new WaveMixZipError(
          `overlaps entry '${previous.name}' (bytes [${previous.localHeaderOffset}, ${previous.dataOffset + previous.compressedSize})); ` +
            'entries sharing data are refused',
          entry.localHeaderOffset,
          entry.name,
        );
      }
      previous = entry;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's contents (a view into the file for stored entries), CRC-checked. */
  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    if (!entry) throw new WaveMixZipError('no such entry', 0, name);
    const { localHeaderOffset: header, dataOffset: start } = entry;
    this.need(start, entry.compressedSize, name);
    const raw = this.bytes.subarray(start, start + entry.compressedSize);
    // Deflate cannot expand more than ~1032:1; refuse a forged size before allocating for it.
    if (
      (entry.method === 0 && entry.size !== entry.compressedSize) ||
      entry.size > entry.compressedSize * 1032 + 1024
    ) {
      throw new WaveMixZipError(
        `claims ${entry.size} bytes from ${entry.compressedSize} compressed; the directory is corrupt`,
        header,
        name,
      );
    }
    let data: Uint8Array;
    if (entry.method === 0) {
      data = raw;
    } else if (entry.method === 8) {
      if (this.inflatedBytes + entry.size > this.maxInflatedBytes) {
        throw new WaveMixBudgetError(
          `zip entry '${name}': inflating ${entry.size} more bytes after ${this.inflatedBytes}`,
          this.maxInflatedBytes,
          this.inflatedBytes + entry.size,
          'bytes',
          'maxBytes',
        );
      }
      this.inflatedBytes += entry.size;
      try {
        data = inflateSync(raw, { out: new Uint8Array(entry.size) });
      } catch (error) {
        throw new WaveMixZipError(`deflate data is corrupt (${(error as Error).message})`, start, name);
      }
    } else {
      throw new WaveMixZipError(
        `compression method ${entry.method} is not supported (only stored and deflate)`,
        header,
        name,
      );
    }
    if (data.length !== entry.size) {
      throw new WaveMixZipError(`holds ${data.length} bytes, the directory says ${entry.size}`, start, name);
    }
    const crc = crc32(data);
    if (crc !== entry.crc32) {
      throw new WaveMixZipError(
        `CRC-32 ${hex(crc)} does not match the recorded ${hex(entry.crc32)}; the file is corrupt`,
        start,
        name,
      );
    }
    return data;
  }
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

let CRC_TABLE: Uint32Array | undefined;

export function crc32(data: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
