import v8 from 'node:v8';
import { relaxedSimdSupported, rooflineModule, tileProbe } from './roofline_wasm';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

/** The probe module's exports, and its memory as floats. */
function instantiate(fma: boolean) {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(rooflineModule(fma, 1 << 20)));
  const fn = exports as unknown as Record<string, (...args: number[]) => number> & { memory: WebAssembly.Memory };
  return { fn, floats: new Float32Array(fn.memory.buffer) };
}

describe('roofline probes compute what they claim', () => {
  test('relaxed SIMD is detected (Node 20 with the flag)', () => {
    expect(relaxedSimdSupported()).toBe(true);
  });

  // acc[i][j] += a[i] * b[j] with a[i] = 1 + i/8 in registers and b0, b1 loaded from floats 0 and 4
  // (lane 0 of each): after n iterations the lane-0 sum is n * sum_i a[i] * (b0 + b1).
  test.each([
    [2, false, 3 * (1 + 1.125) * (1.5 + 2)],
    [4, false, 3 * (1 + 1.125 + 1.25 + 1.375) * (1.5 + 2)],
    [4, true, 3 * (1 + 1.125 + 1.25 + 1.375) * (1.5 + 2)],
    [6, true, 3 * (1 + 1.125 + 1.25 + 1.375 + 1.5 + 1.625) * (1.5 + 2)],
  ])('a %ix8 register tile (relaxed_madd: %s) accumulates 3 iterations exactly', (mr, fma, expected) => {
    const { fn, floats } = instantiate(true);
    floats[0] = 1.5;
    floats[4] = 2;
    expect(fn[tileProbe(mr, 'regs', fma).name]!(3)).toBe(expected);
  });

  test('the L1 tile walks its 4 KB window: a[i] and b from each 64-byte row', () => {
    const { fn, floats } = instantiate(false);
    // row 0 (floats 0..15): b0 = 1, b1 = 2, a0..a3 at floats 8..11 = 1, 2, 3, 4; row 1: all zero
    floats.set([1, 0, 0, 0, 2, 0, 0, 0, 1, 2, 3, 4]);
    // two iterations read rows 0 and 1: (1 + 2 + 3 + 4) * (1 + 2) once
    expect(fn.tile4x8_l1_muladd!(2)).toBe(30);
    // 65 iterations wrap around the 64 rows of the window and read row 0 twice
    expect(fn.tile4x8_l1_muladd!(65)).toBe(60);
  });

  test('read sums every float once per repeat; fill and copy write where told', () => {
    const { fn, floats } = instantiate(false);
    const bytes = 4096;
    // fill(repeats, offset, bytes): 0x3f800000 needs distinct bytes, so fill with 0x3c (0.01148...)
    fn.fill!(1, 0, bytes);
    const value = new Float32Array(new Uint8Array([0x3c, 0x3c, 0x3c, 0x3c]).buffer)[0]!;
    expect(floats[0]).toBe(value);
    expect(floats[bytes / 4 - 1]).toBe(value);
    expect(floats[bytes / 4]).toBe(0);
    // lane 0 of the four accumulators: floats 0, 4, 8, 12 of each 64-byte row, 64 rows, 2 repeats
    expect(fn.read!(2, 0, bytes)).toBeCloseTo(2 * 64 * 4 * value, 4); // float32 sums: ~1e-6 relative
    fn.copy!(1, 0, bytes);
    expect(floats[bytes / 4]).toBe(value);
    expect(floats[(2 * bytes) / 4 - 1]).toBe(value);
    expect(floats[(2 * bytes) / 4]).toBe(0);
  });
});
