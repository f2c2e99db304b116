// Seeded mutations and truncations of a real torch.save `.pth` (an official fixture): every case
// must be a consistent parse or a WaveMix error, each under 1 s and within 128 MB.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WaveMixError, seededRandom } from '@wavemix/core';
import { FIXTURE_ROOT } from '../testing/fixtures';
import { writeZip } from '../testing/pth_writer';
import { readStateDict } from './state_dict';
import { ZipArchive, crc32 } from './zip';

const CASES = 1000;
const MAX_BYTES = 32 * 2 ** 20;

/** Byte ranges worth hitting: the pickle (first entry) and the central directory (end of file). */
function hotRanges(bytes: Uint8Array): Array<[number, number]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pickleStart = 30 + view.getUint16(26, true) + view.getUint16(28, true);
  const pickleEnd = pickleStart + view.getUint32(18, true);
  const centralStart = view.getUint32(bytes.length - 22 + 16, true);
  return [
    [0, pickleEnd],
    [centralStart, bytes.length],
  ];
}

/** Recomputes the CRC-32 of every stored entry the directory still describes, so mutations reach the pickle reader. */
function repairCrcs(bytes: Uint8Array): Uint8Array {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = bytes.length - 22;
    if (end < 0 || view.getUint32(end, true) !== 0x06054b50) return bytes;
    let offset = view.getUint32(end + 16, true);
    for (let i = view.getUint16(end + 10, true); i > 0 && offset + 46 <= bytes.length; i--) {
      if (view.getUint32(offset, true) !== 0x02014b50) break;
      const header = view.getUint32(offset + 42, true);
      const size = view.getUint32(offset + 20, true);
      if (view.getUint16(offset + 10, true) === 0 && header + 30 <= bytes.length) {
        const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
        if (start + size <= bytes.length) {
          const crc = crc32(bytes.subarray(start, start + size));
          view.setUint32(offset + 16, crc, true);
          view.setUint32(header + 14, crc, true);
        }
      }
      offset +=
        46 + view.getUint16(offset + 28, true) + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
    }
  } catch {
    // A directory mangled beyond repair stays as mutated.
  }
  return bytes;
}

/** Mutates `data.pkl` alone and packs the archive again: cases that reach the pickle reader and the record checks. */
function mutatePickle(entries: Array<{ name: string; data: Uint8Array }>, random: () => number): Uint8Array {
  const pickle = entries[0]!.data;
  const mutated = mutate(pickle, random, [[0, pickle.length]], false);
  return writeZip([{ name: entries[0]!.name, data: mutated }, ...entries.slice(1)]);
}

function mutate(source: Uint8Array, random: () => number, hot: Array<[number, number]>, repair = true): Uint8Array {
  const int = (n: number) => Math.floor(random() * n);
  const at = () => {
    if (random() < 0.2) return int(source.length);
    const [from, to] = hot[int(hot.length)]!;
    return from + int(to - from);
  };
  const kind = int(5);
  if (kind === 0) return source.slice(0, int(source.length));
  let bytes = source.slice();
  if (kind === 1) {
    for (let i = 1 + int(6); i > 0; i--) bytes[at()] = int(256);
  } else if (kind === 2) {
    // Forged 32-bit fields: sizes, offsets, counts, LONG/BININT arguments.
    const where = Math.min(at(), bytes.length - 4);
    const forged = [0xffffffff, 0x7fffffff, 0x80000000, 0x04000000, 0, 1, int(2 ** 32)][int(7)]!;
    new DataView(bytes.buffer).setUint32(where, forged, true);
  } else if (kind === 3) {
    // Pickle opcodes and small integers (sizes, strides, offsets).
    const values = [
      0x28, 0x29, 0x2e, 0x4a, 0x4b, 0x51, 0x52, 0x5d, 0x61, 0x68, 0x71, 0x73, 0x74, 0x75, 0x7d, 0x85, 0x86, 0x8a, 0x8b,
      0x94, 0x95, 0, 1, 0xff,
    ];
    for (let i = 1 + int(3); i > 0; i--) bytes[at()] = values[int(values.length)]!;
  } else {
    const where = at();
    const count = 1 + int(16);
    if (int(2)) {
      const out = new Uint8Array(bytes.length + count);
      out.set(bytes.subarray(0, where));
      for (let i = 0; i < count; i++) out[where + i] = int(256);
      out.set(bytes.subarray(where), where + count);
      bytes = out;
    } else {
      const out = new Uint8Array(Math.max(where, bytes.length - count));
      out.set(bytes.subarray(0, where));
      out.set(bytes.subarray(where + count), where);
      bytes = out;
    }
  }
  return repair && int(4) ? repairCrcs(bytes) : bytes;
}

it(`${CASES} mutated .pth files: each a consistent parse or a WaveMix error, < 1 s and < 128 MB`, () => {
  const source = new Uint8Array(readFileSync(path.join(FIXTURE_ROOT, 'segment_l2_s2/model.pth')));
  const reference = readStateDict(source).tensors;
  const hot = hotRanges(source);
  const zip = new ZipArchive(source);
  const entries = [...zip.entries.keys()].map((name) => ({ name, data: zip.read(name).slice() }));
  expect(entries[0]!.name).toMatch(/data\.pkl$/);
  const random = seededRandom(2024);
  const rssBefore = process.resourceUsage().maxRSS;
  const baseArrayBuffers = process.memoryUsage().arrayBuffers;
  const errors = new Map<string, number>();
  let parsed = 0;
  let changed = 0;
  let slowest = 0;
  let maxArrayBuffers = 0;
  for (let k = 0; k < CASES; k++) {
    const bytes = k % 2 ? mutatePickle(entries, random) : mutate(source, random, hot);
    const start = performance.now();
    try {
      const { tensors } = readStateDict(bytes, { maxBytes: MAX_BYTES });
      let bytesRead = 0;
      for (const [key, tensor] of tensors) {
        // Consistent: as many float32 values as the shape says, within the budget.
        expect([key, tensor.data.length]).toEqual([key, tensor.shape.reduce((a, b) => a * b, 1)]);
        bytesRead += tensor.data.byteLength;
        const original = reference.get(key);
        if (
          !original ||
          original.data.length !== tensor.data.length ||
          original.data.some((v, i) => !Object.is(v, tensor.data[i]))
        )
          changed++;
      }
      expect(bytesRead).toBeLessThanOrEqual(MAX_BYTES);
      parsed++;
    } catch (error) {
      if (!WaveMixError.isInstance(error))
        throw new Error(`case ${k}: ${(error as Error).name}: ${(error as Error).message}`);
      errors.set((error as Error).name, (errors.get((error as Error).name) ?? 0) + 1);
      if (process.env.FUZZ_VERBOSE) console.log((error as Error).message.replace(/\d+/g, 'N').slice(0, 90));
    }
    slowest = Math.max(slowest, performance.now() - start);
    if (k % 10 === 0)
      maxArrayBuffers = Math.max(maxArrayBuffers, process.memoryUsage().arrayBuffers - baseArrayBuffers);
  }
  const rssGrowthMB = (process.resourceUsage().maxRSS - rssBefore) / 1024;
  const rejected = [...errors.values()].reduce((a, b) => a + b, 0);
  console.log(
    `.pth fuzz: ${parsed} parses (${changed} tensors read differently), ${rejected} errors (${[...errors].map(([n, c]) => `${n} ${c}`).join(', ')}), ` +
      `slowest ${slowest.toFixed(1)} ms, max RSS +${rssGrowthMB.toFixed(0)} MB`,
  );
  expect(parsed + rejected).toBe(CASES);
  expect(parsed).toBeGreaterThan(0);
  // The mutations reach the pickle reader and the record checks, not just the zip layer.
  expect(errors.get('WaveMixPickleError') ?? 0).toBeGreaterThan(20);
  expect(errors.get('WaveMixZipError') ?? 0).toBeGreaterThan(20);
  expect(slowest).toBeLessThan(1000);
  expect(rssGrowthMB).toBeLessThan(128);
  expect(maxArrayBuffers).toBeLessThan(128 * 2 ** 20);
});

it('300 mutated deflate-compressed .pth files: each a consistent parse or a WaveMix error', () => {
  const source = new Uint8Array(readFileSync(path.resolve(__dirname, '../../test-fixtures/segment_deflate.pth')));
  const random = seededRandom(7);
  const hot: Array<[number, number]> = [[0, source.length]];
  let parsed = 0;
  let rejected = 0;
  let slowest = 0;
  const rssBefore = process.resourceUsage().maxRSS;
  for (let k = 0; k < 300; k++) {
    const bytes = mutate(source, random, hot);
    const start = performance.now();
    try {
      for (const tensor of readStateDict(bytes, { maxBytes: MAX_BYTES }).tensors.values()) {
        expect(tensor.data.length).toBe(tensor.shape.reduce((a, b) => a * b, 1));
      }
      parsed++;
    } catch (error) {
      if (!WaveMixError.isInstance(error))
        throw new Error(`deflated case ${k}: ${(error as Error).name}: ${(error as Error).message}`);
      rejected++;
    }
    slowest = Math.max(slowest, performance.now() - start);
  }
  console.log(`deflated .pth fuzz: ${parsed} parses, ${rejected} WaveMix errors, slowest ${slowest.toFixed(1)} ms`);
  expect(parsed + rejected).toBe(300);
  expect(rejected).toBeGreaterThan(100);
  expect(slowest).toBeLessThan(1000);
  expect((process.resourceUsage().maxRSS - rssBefore) / 1024).toBeLessThan(128);
});
