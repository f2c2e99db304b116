/**
 * Small writers for crafted `.pth` files in tests (not part of the package API): a torch.save
 * style pickle of tensor records and a zip with stored or deflated entries.
 */
import { deflateSync } from 'fflate';
import { crc32 } from '../pytorch/zip';

const ascii = (s: string) => Array.from(new TextEncoder().encode(s));
const int32 = (n: number) => [0x4a, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
export const unicode = (s: string): number[] => {
  const bytes = ascii(s);
  return [0x58, ...int32(bytes.length).slice(1), ...bytes];
};
const tuple = (values: number[]) => [0x28, ...values.flatMap(int32), 0x74];

export interface TensorSpec {
  key: string;
  storage: string;
  /** Elements the storage claims. */
  numel: number;
  shape: number[];
  stride: number[];
  offset?: number;
  storageType?: string;
}

/** The pickle torch.save writes for `{key: tensor, ...}` (protocol 2, `_rebuild_tensor_v2`). */
export function tensorPickle(tensors: TensorSpec[]): Uint8Array {
  const ops: number[] = [0x80, 0x02, 0x7d, 0x28];
  for (const t of tensors) {
    ops.push(...unicode(t.key), 0x63, ...ascii('torch._utils\n_rebuild_tensor_v2\n'), 0x28);
    ops.push(
      0x28,
      ...unicode('storage'),
      0x63,
      ...ascii(`torch\n${t.storageType ?? 'FloatStorage'}\n`),
      ...unicode(t.storage),
      ...unicode('cpu'),
    );
    ops.push(...int32(t.numel), 0x74, 0x51, ...int32(t.offset ?? 0), ...tuple(t.shape), ...tuple(t.stride), 0x89);
    ops.push(0x63, ...ascii('collections\nOrderedDict\n'), 0x29, 0x52, 0x74, 0x52);
  }
  ops.push(0x75, 0x2e);
  return new Uint8Array(ops);
}

export interface ZipFile {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
}

/** A zip of the given entries (stored, or deflated where asked), as torch.save lays it out. */
export function writeZip(files: ZipFile[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data, deflate } of files) {
    const stored = deflate ? deflateSync(data) : data;
    const nameBytes = new TextEncoder().encode(name);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, deflate ? 8 : 0, true);
    lv.setUint32(14, crc32(data), true);
    lv.setUint32(18, stored.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    central.push(centralEntry(name, deflate ? 8 : 0, crc32(data), stored.length, data.length, offset));
    chunks.push(local, stored);
    offset += local.length + stored.length;
  }
  return finishZip(chunks, central, offset);
}

export function centralEntry(
  name: string,
  method: number,
  crc: number,
  compressedSize: number,
  size: number,
  headerOffset: number,
): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const entry = new Uint8Array(46 + nameBytes.length);
  const cv = new DataView(entry.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(10, method, true);
  cv.setUint32(16, crc, true);
  cv.setUint32(20, compressedSize, true);
  cv.setUint32(24, size, true);
  cv.setUint16(28, nameBytes.length, true);
  cv.setUint32(42, headerOffset, true);
  entry.set(nameBytes, 46);
  return entry;
}

/** Local records, then the given central directory entries and the end record. */
export function finishZip(chunks: Uint8Array[], central: Uint8Array[], centralOffset: number): Uint8Array {
  const centralSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, centralOffset, true);
  const all = [...chunks, ...central, end];
  const out = new Uint8Array(all.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of all) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A `.pth` holding the given tensor records and storages (`m/data.pkl`, `m/data/<key>`). */
export function writePth(tensors: TensorSpec[], storages: Record<string, Uint8Array>, deflate = false): Uint8Array {
  return writeZip([
    { name: 'm/data.pkl', data: tensorPickle(tensors) },
    ...Object.entries(storages).map(([key, data]) => ({ name: `m/data/${key}`, data, deflate })),
  ]);
}

/** Runs `fn`, returning its error (or undefined), the milliseconds taken and the growth of RSS high-water mark and array buffers in MB. */
export function measure(fn: () => unknown): { error: unknown; ms: number; maxRssMB: number; arrayBuffersMB: number } {
  const rss = process.resourceUsage().maxRSS;
  const buffers = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  let error: unknown;
  let peakBuffers = 0;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - start;
  peakBuffers = process.memoryUsage().arrayBuffers - buffers;
  return { error, ms, maxRssMB: (process.resourceUsage().maxRSS - rss) / 1024, arrayBuffersMB: peakBuffers / 2 ** 20 };
}
