import { WaveMixError } from '@wavemix/core';

/**
 * Which build of csrc/train_kernels.c runs: `relaxed-simd` computes every multiply-add of the
 * GEMM micro-kernels as one f32x4.relaxed_madd (an FMA on x86-64 with FMA3 and on arm64),
 * `simd` as f32x4.mul + f32x4.add (plain 128-bit SIMD, every engine with wasm SIMD).
 */
export type WasmSimdVariant = 'relaxed-simd' | 'simd';

export class WasmSimdVariantError extends WaveMixError {
  constructor(message: string) {
    super(message);
    this.name = 'WasmSimdVariantError';
  }
}

/** (v128, v128, v128) -> v128 = f32x4.relaxed_madd: validates exactly where relaxed SIMD is on. */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x08,
  0x01,
  0x60,
  0x03,
  0x7b,
  0x7b,
  0x7b,
  0x01,
  0x7b, // type (v128 v128 v128) -> v128
  0x03,
  0x02,
  0x01,
  0x00, // one function of that type
  0x0a,
  0x0d,
  0x01,
  0x0b,
  0x00,
  0x20,
  0x00,
  0x20,
  0x01,
  0x20,
  0x02,
  0xfd,
  0x85,
  0x02,
  0x0b, // relaxed_madd
]);

/** Node 20 has relaxed SIMD behind a V8 flag (Node 22+ and Chromium have it on). */
function enableNodeRelaxedSimd(): boolean {
  const proc = (
    globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }
  ).process;
  if (proc?.versions?.node == null || typeof proc.getBuiltinModule !== 'function') return false;
  const v8 = proc.getBuiltinModule('node:v8') as { setFlagsFromString?: (flags: string) => void } | undefined;
  if (typeof v8?.setFlagsFromString !== 'function') return false;
  // Only affects modules compiled from now on; the flag turns on a finished, standard proposal.
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return true;
}

let supported: boolean | undefined;

/**
 * Whether this runtime validates relaxed SIMD, checked once by validating a tiny module (in Node
 * 20, after turning on V8's --experimental-wasm-relaxed-simd, unless WAVEMIX_WASM_SIMD=simd).
 */
export function relaxedSimdSupported(): boolean {
  if (supported == null) {
    supported = WebAssembly.validate(RELAXED_SIMD_PROBE);
    if (!supported && environmentChoice() !== 'simd' && enableNodeRelaxedSimd())
      supported = WebAssembly.validate(RELAXED_SIMD_PROBE);
  }
  return supported;
}

function environmentChoice(): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.WAVEMIX_WASM_SIMD;
}

let requested: WasmSimdVariant | 'auto' = 'auto';

/**
 * Chooses the kernel build: 'auto' (the default) takes relaxed SIMD where the runtime supports
 * it, else plain SIMD; the environment variable WAVEMIX_WASM_SIMD=simd|relaxed-simd overrides
 * 'auto'. Kernels instantiated afterwards use the choice (each backend re-instantiates).
 */
export function setWasmSimdVariant(variant: WasmSimdVariant | 'auto'): void {
  if (variant !== 'auto' && variant !== 'simd' && variant !== 'relaxed-simd') {
    throw new WasmSimdVariantError(
      `unknown wasm SIMD variant '${String(variant)}' (expected 'auto', 'simd' or 'relaxed-simd')`,
    );
  }
  if (variant === 'relaxed-simd' && !relaxedSimdSupported()) {
    throw new WasmSimdVariantError('this runtime does not support relaxed SIMD (f32x4.relaxed_madd did not validate)');
  }
  requested = variant;
}

/** The kernel build in use now. */
export function wasmSimdVariant(): WasmSimdVariant {
  const choice = requested === 'auto' ? environmentChoice() : requested;
  if (choice === 'simd') return 'simd';
  if (choice != null && choice !== 'relaxed-simd' && choice !== 'auto' && choice !== '') {
    throw new WasmSimdVariantError(`WAVEMIX_WASM_SIMD must be 'simd' or 'relaxed-simd', got '${choice}'`);
  }
  if (choice === 'relaxed-simd' && !relaxedSimdSupported()) {
    throw new WasmSimdVariantError('WAVEMIX_WASM_SIMD=relaxed-simd, but this runtime does not support relaxed SIMD');
  }
  return relaxedSimdSupported() ? 'relaxed-simd' : 'simd';
}
