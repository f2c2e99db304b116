/**
 * The four tfjs backends and our kernels for each. Importing a kernel package registers its
 * WaveMix kernels (Dwt2D, Idwt2D, WaveletPyramid, ...) for that backend; the models themselves
 * never import one, the app opts in here.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@wavemix/kernels-cpu';
import '@wavemix/kernels-wasm';
import '@wavemix/kernels-webgl';
import '@wavemix/kernels-webgpu';
import { Dwt2D, Idwt2D, WaveletPyramid } from '@wavemix/core';
// The wasm binaries are bundled as assets of this app (never fetched from a CDN).
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: string,
    reason: string,
  ) {
    super(`The ${backend} backend is not available here: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

/** Why a backend cannot start in this browser, checked before tfjs tries (or null). */
function missingFeature(name: BackendName): string | null {
  if (name === 'webgpu' && !(globalThis.navigator as Navigator & { gpu?: unknown })?.gpu) {
    return 'this browser has no WebGPU (navigator.gpu is missing)';
  }
  if (name === 'webgl') {
    const canvas = document.createElement('canvas');
    if (!canvas.getContext('webgl2')) return 'this browser cannot create a WebGL2 context';
  }
  if (name === 'wasm' && typeof WebAssembly !== 'object') return 'this browser has no WebAssembly';
  return null;
}

/**
 * Switches tfjs to `name`. On failure tfjs is left on the previous backend and the error says
 * why, so the page keeps working.
 */
export async function switchBackend(name: string): Promise<BackendName> {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new BackendUnavailableError(name, `unknown backend; choose one of ${BACKENDS.join(', ')}`);
  }
  const backend = name as BackendName;
  const previous = tf.getBackend();
  const missing = missingFeature(backend);
  if (missing) throw new BackendUnavailableError(backend, missing);
  let ok = false;
  let reason = 'tfjs could not initialise it';
  try {
    ok = await tf.setBackend(backend);
    await tf.ready();
  } catch (error) {
    reason = (error as Error).message;
    ok = false;
  }
  if (!ok || tf.getBackend() !== backend) {
    // A failed tf.setBackend leaves no backend active: go back to the previous one.
    if (previous && previous !== backend) await tf.setBackend(previous);
    throw new BackendUnavailableError(backend, reason);
  }
  return backend;
}

/** Which of our kernels the active backend has (the rest run as tfjs composites). */
export function activeKernels(): string[] {
  const backend = tf.getBackend();
  return [Dwt2D, Idwt2D, WaveletPyramid].filter((kernel) => tf.getKernel(kernel, backend) != null);
}
