import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { relaxedSimdSupported, setWasmSimdVariant, WasmSimdVariantError, wasmSimdVariant } from './simd_variant';
import {
  TRAIN_KERNELS_CLANG_VERSION,
  TRAIN_KERNELS_RELAXED_WASM_BASE64,
  TRAIN_KERNELS_WASM_BASE64,
} from './train_kernels_wasm';
import { trainKernels } from './module';

const packageDir = join(__dirname, '..', '..');
const bytes = () => Buffer.from(TRAIN_KERNELS_WASM_BASE64, 'base64');

/** Top-level section ids of a wasm binary. */
function sectionIds(b: Uint8Array): number[] {
  const ids: number[] = [];
  let offset = 8;
  while (offset < b.length) {
    ids.push(b[offset++]!);
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = b[offset++]!;
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    offset += size;
  }
  return ids;
}

function clangVersion(): string | null {
  try {
    return (
      /clang version (\d+\.\d+\.\d+)/.exec(execFileSync('clang', ['--version'], { encoding: 'utf8' }))?.[1] ?? null
    );
  } catch {
    return null;
  }
}

describe('the committed kernel module', () => {
  test('imports only the memory and has no data segments (it cannot overwrite the backend heap)', () => {
    const module = new WebAssembly.Module(bytes());
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const ids = sectionIds(bytes());
    expect(ids).toContain(10); // code
    expect(ids).not.toContain(11); // data
    expect(ids).not.toContain(12); // data count
  });

  test('writes nothing outside the tensors it is given', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as never;
    const kernels = trainKernels(backend);
    const heap = new Uint8Array((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer);
    const guard = tf.fill([64], 7);
    const x = tf.fill([16], 2);
    const y = tf.zeros([16]);
    const offset = (t: tf.Tensor) =>
      (tf.backend() as unknown as { dataIdMap: { get(id: unknown): { memoryOffset: number } } }).dataIdMap.get(t.dataId)
        .memoryOffset;
    // Snapshot the first 64 KiB (where a C shadow stack or static data would live) and the guard.
    const low = heap.slice(0, 65536);
    kernels.exp_f32(offset(x), offset(y), 16);
    kernels.fill_zero(offset(y), 3);
    expect(heap.slice(0, 65536)).toEqual(low);
    expect(Array.from(await guard.data())).toEqual(new Array(64).fill(7));
    expect(Array.from(await y.data())).toEqual([0, 0, 0, ...new Array(13).fill(Math.fround(Math.exp(2)))]);
    tf.dispose([guard, x, y]);
  });

  const version = clangVersion();
  (version === TRAIN_KERNELS_CLANG_VERSION ? test : test.skip)(
    `rebuilding csrc/train_kernels.c with clang ${TRAIN_KERNELS_CLANG_VERSION} reproduces the committed module (skipped without that clang)`,
    () => {
      execFileSync('node', [join(packageDir, 'scripts/build-wasm.mjs'), '--check'], { stdio: 'pipe' });
      expect(readFileSync(join(packageDir, 'src/train/train_kernels_wasm.ts'), 'utf8')).toContain(
        TRAIN_KERNELS_WASM_BASE64.slice(0, 64),
      );
    },
  );
});

describe('a backend whose memory is shared (tfjs-wasm multi-threaded build)', () => {
  const sharedBackend = () =>
    ({ wasm: { asm: { memory: new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }) } } }) as never;

  test('is reported unavailable, and trainKernels refuses it by name', async () => {
    const { trainKernelsAvailable, WasmTrainingKernelError } = await import('./module');
    expect(trainKernelsAvailable(sharedBackend())).toBe(false);
    expect(() => trainKernels(sharedBackend())).toThrow(WasmTrainingKernelError);
    await tf.setBackend('wasm');
    expect(trainKernelsAvailable(tf.backend() as never)).toBe(true);
  });

  test('the replaced kernels leave it to the backend kernel', async () => {
    const { overrideConfig } = await import('../kernels/fast/override');
    const fallback = { kernelName: 'Tile', backendName: 'wasm', kernelFunc: jest.fn(() => 'stock') };
    const fast = jest.fn(() => null);
    const config = overrideConfig('Tile', fallback as never, fast);
    expect(
      (config.kernelFunc as unknown as (a: unknown) => unknown)({ inputs: {}, backend: sharedBackend(), attrs: {} }),
    ).toBe('stock');
    expect(fast).not.toHaveBeenCalled();
  });
});

describe('the relaxed SIMD build and the variant choice', () => {
  const relaxedBytes = () => Buffer.from(TRAIN_KERNELS_RELAXED_WASM_BASE64, 'base64');
  /** Occurrences of f32x4.relaxed_madd's encoding (0xfd 0x85 0x02). */
  const madds = (b: Uint8Array) => {
    let n = 0;
    for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xfd && b[i + 1] === 0x85 && b[i + 2] === 0x02) n++;
    return n;
  };

  test('the relaxed build carries the multiply-adds as f32x4.relaxed_madd, the plain build none', () => {
    // 280 = the micro-kernels' multiply-adds (48) and the exp/erf polynomial steps (104), after
    // inlining (csrc/train_kernels.c, clang 14 -O3), and the pointwise MLP's two micro-kernels
    // with their inlined GELUs (128, pointwise_mlp.inc.c): 280, 232 since GELU's rational erf; plus
    // the 1x1 kernels' row, dot and filter-gradient multiply-adds after inlining (141, conv1x1.inc.c);
    // plus the Winograd kernel's inlined 4x8 micro-kernel (8, winograd.inc.c), plus the Winograd
    // filter gradient's inlined copy of the filter-gradient GEMM (33: its 1-4 row tiles and narrow columns)
    expect(madds(relaxedBytes())).toBe(414);
    expect(madds(bytes())).toBe(0);
    expect(sectionIds(relaxedBytes())).not.toContain(11);
  });

  test('relaxed SIMD is detected in this Node (Node 20: through the V8 flag) and chosen by default', () => {
    expect(relaxedSimdSupported()).toBe(true);
    expect(WebAssembly.validate(relaxedBytes())).toBe(true);
    expect(wasmSimdVariant()).toBe('relaxed-simd');
  });

  test('each variant instantiates its own module on the backend memory; bad choices are refused by name', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as never;
    try {
      setWasmSimdVariant('simd');
      const plain = trainKernels(backend);
      expect(trainKernels(backend)).toBe(plain);
      setWasmSimdVariant('relaxed-simd');
      const relaxed = trainKernels(backend);
      expect(relaxed).not.toBe(plain);
      setWasmSimdVariant('simd');
      expect(trainKernels(backend)).toBe(plain); // one instance per variant, kept
      setWasmSimdVariant('relaxed-simd');
      expect(trainKernels(backend)).toBe(relaxed);
      expect(() => setWasmSimdVariant('avx' as never)).toThrow(WasmSimdVariantError);
      expect(() => setWasmSimdVariant('avx' as never)).toThrow(/unknown wasm SIMD variant 'avx'/);
      process.env.WAVEMIX_WASM_SIMD = 'sse';
      setWasmSimdVariant('auto');
      expect(() => wasmSimdVariant()).toThrow(/WAVEMIX_WASM_SIMD must be/);
      process.env.WAVEMIX_WASM_SIMD = 'simd';
      expect(wasmSimdVariant()).toBe('simd');
    } finally {
      delete process.env.WAVEMIX_WASM_SIMD;
      setWasmSimdVariant('auto');
    }
  });
});
