// Seeded mutations and truncations of a real safetensors file (an official state_dict fixture):
// every case must be a consistent parse or a WaveMix error, each fast and within a memory bound.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { resourceUsage } from 'node:process';
import { WaveMixBudgetError, WaveMixError } from '../errors';
import { seededRandom } from '../random';
import { numElements, readSafetensors, toFloat32, writeSafetensors } from './index';

const CASES = 1000;
const FIXTURE = path.resolve(__dirname, '../../../../fixtures/pytorch/wavemix_lite_l1_strided_s1/model.safetensors');
const ITEM_SIZE: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  U64: 8,
  I64: 8,
  F64: 8,
};

/** Truncation, byte flips, forged 32/64-bit fields, insertions and deletions, mostly in the first `hot` bytes. */
function mutate(source: Uint8Array, random: () => number, hot: number): Uint8Array {
  const int = (n: number) => Math.floor(random() * n);
  const kind = int(5);
  if (kind === 0) return source.slice(0, int(source.length));
  const bytes = source.slice();
  const at = () => int(random() < 0.8 ? Math.min(hot, bytes.length) : bytes.length);
  if (kind === 1) {
    for (let i = 1 + int(8); i > 0; i--) bytes[at()] = int(256);
  } else if (kind === 2) {
    const where = Math.min(at(), bytes.length - 8);
    const forged = [0xffffffff, 0x7fffffff, 0x10000000, 0, 1, int(2 ** 32)][int(6)]!;
    for (let k = 0; k < 4; k++) bytes[where + k] = (forged >>> (8 * k)) & 0xff;
    if (int(2)) for (let k = 4; k < 8; k++) bytes[where + k] = int(2) ? 0xff : 0;
  } else if (kind === 3) {
    // Digits and JSON punctuation in the header: shapes, offsets and structure change.
    const alphabet = '0123456789-[]{},:"e.';
    for (let i = 1 + int(4); i > 0; i--)
      bytes[8 + int(Math.max(1, hot - 8))] = alphabet.charCodeAt(int(alphabet.length));
  } else {
    const where = at();
    const count = 1 + int(16);
    if (int(2)) {
      const out = new Uint8Array(bytes.length + count);
      out.set(bytes.subarray(0, where));
      for (let i = 0; i < count; i++) out[where + i] = int(256);
      out.set(bytes.subarray(where), where + count);
      return out;
    }
    return Uint8Array.from([...bytes.subarray(0, where), ...bytes.subarray(where + count)]);
  }
  return bytes;
}

it(`${CASES} mutated safetensors files: each a consistent parse or a WaveMix error, < 1 s and < 128 MB`, () => {
  const source = new Uint8Array(readFileSync(FIXTURE));
  const headerEnd = 8 + Number(new DataView(source.buffer, source.byteOffset).getBigUint64(0, true));
  const random = seededRandom(12);
  const rssBefore = resourceUsage().maxRSS;
  let parsed = 0;
  let rejected = 0;
  let slowest = 0;
  let maxArrayBuffers = 0;
  const baseArrayBuffers = process.memoryUsage().arrayBuffers;
  for (let k = 0; k < CASES; k++) {
    const bytes = mutate(source, random, headerEnd);
    const start = performance.now();
    try {
      const file = readSafetensors(bytes, { maxBytes: 64 * 2 ** 20 });
      for (const tensor of file.tensors.values()) {
        // Consistent: the bytes fit the dtype and shape, and decoding yields exactly that many values.
        expect(tensor.bytes.length).toBe(numElements(tensor.shape) * ITEM_SIZE[tensor.dtype]!);
        expect(toFloat32(tensor).length).toBe(numElements(tensor.shape));
      }
      parsed++;
    } catch (error) {
      if (!WaveMixError.isInstance(error))
        throw new Error(`case ${k}: ${(error as Error).name}: ${(error as Error).message}`);
      rejected++;
    }
    slowest = Math.max(slowest, performance.now() - start);
    if (k % 25 === 0)
      maxArrayBuffers = Math.max(maxArrayBuffers, process.memoryUsage().arrayBuffers - baseArrayBuffers);
  }
  const rssGrowthMB = (resourceUsage().maxRSS - rssBefore) / 1024;
  console.log(
    `safetensors fuzz: ${parsed} parses, ${rejected} WaveMix errors, slowest ${slowest.toFixed(1)} ms, max RSS +${rssGrowthMB.toFixed(0)} MB`,
  );
  expect(parsed + rejected).toBe(CASES);
  expect(rejected).toBeGreaterThan(CASES / 4);
  expect(parsed).toBeGreaterThan(0);
  expect(slowest).toBeLessThan(1000);
  expect(rssGrowthMB).toBeLessThan(128);
  expect(maxArrayBuffers).toBeLessThan(128 * 2 ** 20);
});

describe('readSafetensors refuses crafted files', () => {
  it('refuses a file over maxBytes before parsing its header', () => {
    const bytes = writeSafetensors({ w: { shape: [1024], data: new Float32Array(1024) } });
    expect(() => readSafetensors(bytes, { maxBytes: 4000 })).toThrow(WaveMixBudgetError);
    expect(() => readSafetensors(bytes, { maxBytes: 4000 })).toThrow(
      /bytes needed, the budget is 4000 \(raise it with the 'maxBytes' option\)/,
    );
    expect(readSafetensors(bytes, { maxBytes: 5000 }).tensors.get('w')!.shape).toEqual([1024]);
  });

  it('refuses a header whose shape claims more elements than its data (a 2^26-element tensor over 4 bytes)', () => {
    const header = new TextEncoder().encode(
      JSON.stringify({ w: { dtype: 'F32', shape: [2 ** 26], data_offsets: [0, 4] } }),
    );
    const bytes = new Uint8Array(8 + header.length + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    const before = process.memoryUsage().arrayBuffers;
    const start = performance.now();
    expect(() => readSafetensors(bytes)).toThrow(/4 bytes of data for F32 shape \[67108864\], which needs 268435456/);
    expect(performance.now() - start).toBeLessThan(100);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 20);
  });

  it('refuses negative shapes and dtypes it does not know', () => {
    const make = (entry: unknown) => {
      const header = new TextEncoder().encode(JSON.stringify({ w: entry }));
      const bytes = new Uint8Array(8 + header.length + 4);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
      bytes.set(header, 8);
      return bytes;
    };
    expect(() => readSafetensors(make({ dtype: 'F32', shape: [-1], data_offsets: [0, 4] }))).toThrow(
      /shape must be an array of non-negative integers, got \[-1\]/,
    );
    expect(() => readSafetensors(make({ dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] }))).toThrow(
      /unsupported dtype "F8_E4M3"/,
    );
  });
});
