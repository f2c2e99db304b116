import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { trainKernelsAvailable } from '../train/module';

/**
 * Allocates the outputs on the wasm heap first, then takes Float32Array views of inputs and
 * outputs: an allocation can grow the heap and detach views taken before it.
 */
export function heapViews(
  backend: BackendWasm,
  inputs: readonly TensorInfo[],
  outputShapes: ReadonlyArray<readonly number[]>,
): { outputs: TensorInfo[]; inputViews: Float32Array[]; outputViews: Float32Array[] } {
  const outputs = outputShapes.map((shape) => backend.makeOutput([...shape], 'float32'));
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  return { outputs, inputViews: inputs.map(view), outputViews: outputs.map(view) };
}

/**
 * Whether the Haar kernels of csrc/haar.inc.c take `channels` on this backend (four channels per
 * SIMD step); otherwise the JavaScript reference of @wavemix/core runs on heap views.
 */
export function haarKernelsApply(backend: BackendWasm, channels: number): boolean {
  return channels % 4 === 0 && trainKernelsAvailable(backend);
}
