/**
 * The roofline's probe modules, assembled byte by byte here so that the instruction stream is
 * exactly what is measured (no compiler in between, no clang needed to run the benchmark).
 *
 * Every probe is `(iterations: i32) -> f32` (the result keeps the work alive) except the memory
 * probes, `(offset, bytes, repeats) -> f32`. The arithmetic probes compute an MR x 8 tile of
 * f32x4 accumulators, acc[i][j] += a[i] * b[j], per iteration, as a GEMM micro-kernel does:
 *  - `regs`: the a[i] stay in registers, b0/b1 are loaded each iteration (so the products cannot
 *    be hoisted out of the loop): the arithmetic ceiling;
 *  - `l1`: b0/b1 loaded and every a[i] load-splatted from a 4 KB buffer, walking it: the ceiling
 *    of a register-tiled micro-kernel whose operands stay in L1 (what our conv kernels run).
 * `fma` uses f32x4.relaxed_madd (relaxed SIMD) in place of f32x4.mul + f32x4.add.
 */

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const simd = (op: number) => [0xfd, ...uleb(op)];
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const f32c = (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];
/** memarg: alignment exponent, then offset. */
const v128Load = (offset: number) => [...simd(0), 4, ...uleb(offset)];
const loadSplat32 = (offset: number) => [...simd(9), 2, ...uleb(offset)];
const F32X4_SPLAT = simd(0x13);
const F32X4_EXTRACT_0 = [...simd(0x1f), 0];
const F32X4_ADD = simd(0xe4);
const F32X4_MUL = simd(0xe6);
const F32X4_RELAXED_MADD = simd(0x105);
const I32_ADD = [0x6a];
const I32_SUB = [0x6b];
const I32_AND = [0x71];
const END = [0x0b];

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

interface Func {
  name: string;
  params: number[];
  locals: number[];
  body: number[];
}

/** Fused or separate multiply-add into accumulator local `acc`, of a (local) and b (local). */
function madd(fma: boolean, acc: number, a: number, b: number): number[] {
  return fma
    ? [...get(a), ...get(b), ...get(acc), ...F32X4_RELAXED_MADD, ...set(acc)]
    : [...get(acc), ...get(a), ...get(b), ...F32X4_MUL, ...F32X4_ADD, ...set(acc)];
}

/** Loop `count` (local 0) times over `body`; the counter counts down. */
function countedLoop(body: number[]): number[] {
  return [0x02, 0x40, 0x03, 0x40, ...body, ...get(0), ...i32c(1), ...I32_SUB, 0x22, 0, 0x0d, 0, 0x0b, 0x0b];
}

/** Sum of the accumulators' lane 0, so the work is observable. */
function reduce(first: number, count: number): number[] {
  const out = [...get(first)];
  for (let i = 1; i < count; i++) out.push(...get(first + i), ...F32X4_ADD);
  return [...out, ...F32X4_EXTRACT_0];
}

export type TileMode = 'regs' | 'l1';

/** An MR x 8 tile probe (64 * MR / 4 flops per iteration... 16 * MR). */
export function tileProbe(mr: number, mode: TileMode, fma: boolean): Func {
  // locals: 0 count (param), 1 pointer, 2.. acc (2 mr), then b0, b1, then a (mr for regs, 1 for l1)
  const acc = 2;
  const b0 = acc + 2 * mr;
  const b1 = b0 + 1;
  const a0 = b1 + 1;
  const aCount = mode === 'regs' ? mr : 1;
  const init: number[] = [];
  for (let i = 0; i < 2 * mr; i++) init.push(...f32c(0), ...F32X4_SPLAT, ...set(acc + i));
  if (mode === 'regs') for (let i = 0; i < mr; i++) init.push(...f32c(1 + i / 8), ...F32X4_SPLAT, ...set(a0 + i));
  const body: number[] = [...get(1), ...v128Load(0), ...set(b0), ...get(1), ...v128Load(16), ...set(b1)];
  for (let i = 0; i < mr; i++) {
    let a = a0 + i;
    if (mode === 'l1') {
      a = a0;
      body.push(...get(1), ...loadSplat32(32 + 4 * i), ...set(a0));
    }
    body.push(...madd(fma, acc + 2 * i, a, b0), ...madd(fma, acc + 2 * i + 1, a, b1));
  }
  // walk a 4 KB window (plus one 64-byte row of slack) so every load hits L1
  if (mode === 'l1') body.push(...get(1), ...i32c(64), ...I32_ADD, ...i32c(4095), ...I32_AND, ...set(1));
  return {
    name: `tile${mr}x8_${mode}_${fma ? 'fma' : 'muladd'}`,
    params: [I32],
    locals: [I32, ...Array(2 * mr + 2 + aCount).fill(V128)],
    body: [...init, ...countedLoop(body), ...reduce(acc, 2 * mr)],
  };
}

/** Reads `bytes` (a multiple of 64) from `offset`, `repeats` times, into 4 accumulators. */
function readProbe(): Func {
  // params: 0 repeats (the loop counter), 1 offset, 2 bytes; locals: 3 p, 4 end, 5..8 acc
  const inner = [
    0x02,
    0x40,
    0x03,
    0x40,
    ...[0, 1, 2, 3].flatMap((i) => [...get(5 + i), ...get(3), ...v128Load(16 * i), ...F32X4_ADD, ...set(5 + i)]),
    ...get(3),
    ...i32c(64),
    ...I32_ADD,
    0x22,
    3,
    ...get(4),
    0x49,
    0x0d,
    0, // br_if p <u end
    0x0b,
    0x0b,
  ];
  const outer = [...get(1), ...set(3), ...get(1), ...get(2), ...I32_ADD, ...set(4), ...inner];
  return {
    name: 'read',
    params: [I32, I32, I32],
    locals: [I32, I32, V128, V128, V128, V128],
    body: [...countedLoop(outer), ...reduce(5, 4)],
  };
}

/** memory.copy of `bytes` from `offset` to `offset + bytes`, `repeats` times. */
function copyProbe(): Func {
  const body = [...get(1), ...get(2), ...I32_ADD, ...get(1), ...get(2), 0xfc, ...uleb(10), 0, 0];
  return { name: 'copy', params: [I32, I32, I32], locals: [], body: [...countedLoop(body), ...f32c(0)] };
}

/** memory.fill of `bytes` at `offset` with 0x3c (floats of 0.0115), `repeats` times. */
function fillProbe(): Func {
  const body = [...get(1), ...i32c(0x3c), ...get(2), 0xfc, ...uleb(11), 0]; // nonzero bytes: real pages, not the zero page
  return { name: 'fill', params: [I32, I32, I32], locals: [], body: [...countedLoop(body), ...f32c(0)] };
}

function assemble(funcs: Func[], memoryPages: number): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec([[F32]])]);
  const bodies = funcs.map((f) => {
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]!++;
      else groups.push([1, t]);
    }
    const code = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n!), t!]), ...f.body, ...END];
    return [...uleb(code.length), ...code];
  });
  const exports = [...funcs.map((f, i) => [...name(f.name), 0, ...uleb(i)]), [...name('memory'), 2, 0]];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(memoryPages)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ];
  return new Uint8Array(bytes);
}

export const TILE_ROWS = [2, 4, 6];

/** The probe module: every tile probe (plain, and relaxed SIMD when `fma`), and the memory probes. */
export function rooflineModule(fma: boolean, memoryBytes: number): Uint8Array<ArrayBuffer> {
  const funcs: Func[] = [readProbe(), copyProbe(), fillProbe()];
  for (const mode of ['regs', 'l1'] as const) {
    for (const mr of TILE_ROWS) {
      funcs.push(tileProbe(mr, mode, false));
      if (fma) funcs.push(tileProbe(mr, mode, true));
    }
  }
  return assemble(funcs, Math.ceil(memoryBytes / 65536));
}

/** A minimal module with one f32x4.relaxed_madd: it validates where the runtime has relaxed SIMD. */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(
    assemble(
      [
        {
          name: 'f',
          params: [],
          locals: [],
          body: [
            ...f32c(1),
            ...F32X4_SPLAT,
            ...f32c(1),
            ...F32X4_SPLAT,
            ...f32c(1),
            ...F32X4_SPLAT,
            ...F32X4_RELAXED_MADD,
            ...F32X4_EXTRACT_0,
          ],
        },
      ],
      1,
    ),
  );
}
