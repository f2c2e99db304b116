/**
 * The four tfjs backends and our kernels for each (Dwt2D, Idwt2D, WaveletPyramid, ... as
 * `WaveMix*` kernels); the models themselves never import a kernel package, the app opts in here.
 *
 * The kernels are registered from each package's side-effect-free `/base` entry rather than by a
 * bare `import '@wavemix/kernels-xxx'`: the bundler may drop a bare import of a module that
 * package.json does not list under `sideEffects` (it happened to kernels-cpu and kernels-wasm
 * here), and the viewer only needs the WaveMix kernels, not kernels-wasm's training overrides.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { cpuKernelConfigs } from '@wavemix/kernels-cpu/base';
import { wasmKernelConfigs } from '@wavemix/kernels-wasm/base';
import { webglKernelConfigs } from '@wavemix/kernels-webgl/base';
import { webgpuKernelConfigs } from '@wavemix/kernels-webgpu/base';
import { Dwt2D, Idwt2D, registerKernelsOnce, WaveletPyramid, WaveMixError } from '@wavemix/core';
// The wasm binaries are bundled as assets of this app (never fetched from a CDN).
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

registerKernelsOnce([...cpuKernelConfigs, ...wasmKernelConfigs, ...webglKernelConfigs, ...webgpuKernelConfigs]);

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

export class BackendUnavailableError extends WaveMixError {
  constructor(
    readonly backend: string,
    reason: string,
  ) {
    super(`The ${backend} backend is not available here: ${reason}`);
  }
}

let webgl2Available: boolean | undefined;
/** Backends whose GPU context was lost (or that gave wrong results): refused until a reload. */
const lost = new Map<BackendName, string>();

/**
 * Whether WebGL2 works here, asked once: every probe context counts against the browser's limit
 * of live WebGL contexts, and going over it makes the browser drop the oldest one (tfjs's own).
 */
function hasWebGL2(): boolean {
  if (webgl2Available === undefined) {
    const context = document.createElement('canvas').getContext('webgl2');
    webgl2Available = context != null;
    context?.getExtension('WEBGL_lose_context')?.loseContext();
  }
  return webgl2Available;
}

/** Why a backend cannot start in this browser, checked before tfjs tries (or null). */
function missingFeature(name: BackendName): string | null {
  if (name === 'webgpu' && !(globalThis.navigator as Navigator & { gpu?: unknown })?.gpu) {
    return 'this browser has no WebGPU (navigator.gpu is missing)';
  }
  if (name === 'webgl' && !hasWebGL2()) return 'this browser cannot create a WebGL2 context';
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
  const lostReason = lost.get(backend);
  if (lostReason) {
    throw new BackendUnavailableError(
      backend,
      `it failed earlier (${lostReason}); reload the page to use ${backend} again`,
    );
  }
  let ok = false;
  let reason = 'tfjs could not initialise it';
  try {
    ok = await tf.setBackend(backend);
    await tf.ready();
    // A lost WebGL context only shows when a program is compiled: run one (large enough not to be
    // handed to the CPU). sync-read: the throw must surface here, at the switch, not in a later op.
    if (ok && backend === 'webgl') tf.tidy(() => tf.add(tf.ones([32, 32]), tf.ones([32, 32])).dataSync());
  } catch (error) {
    reason = (error as Error).message;
    ok = false;
  }
  if (!ok && backend === 'webgl' && hasWebGL2()) {
    // Chromium on SwiftShader loses the WebGL context once a model has run on WebGPU, and a
    // second use of the lost context takes the page down: refuse webgl from now on.
    lost.set('webgl', `its WebGL context was lost: ${reason}`);
  }
  if (!ok || tf.getBackend() !== backend) {
    // A failed tf.setBackend leaves no backend active: go back to the previous one.
    if (previous && previous !== backend) await tf.setBackend(previous);
    throw new BackendUnavailableError(backend, reason);
  }
  return backend;
}

/**
 * Refuses `backend` from now on: its context was lost or it gave wrong results (using a lost
 * WebGL context again can take the page down; a lost WebGPU device returns zeros).
 */
export function markBackendLost(backend: BackendName, reason: string): void {
  lost.set(backend, reason);
}

export function isBackendLost(backend: BackendName): boolean {
  return lost.has(backend);
}

/** Which of our kernels the active backend has (the rest run as tfjs composites). */
export function activeKernels(): string[] {
  const backend = tf.getBackend();
  return [Dwt2D, Idwt2D, WaveletPyramid].filter((kernel) => tf.getKernel(kernel, backend) != null);
}
