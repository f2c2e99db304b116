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

/**
 * `parts` [length] tensors holding consecutive slices of `buffer` (a kernel's small outputs
 * written side by side, e.g. a gradient's per-channel vectors), then `buffer` freed. The outputs
 * are allocated before the buffer is viewed: an allocation can grow the heap and detach a view.
 */
export function splitHeapBuffer(backend: BackendWasm, buffer: TensorInfo, parts: number, length: number): TensorInfo[] {
  const outputs = Array.from({ length: parts }, () => backend.makeOutput([length], 'float32'));
  const all = backend.typedArrayFromHeap(buffer) as Float32Array;
  outputs.forEach((out, i) =>
    (backend.typedArrayFromHeap(out) as Float32Array).set(all.subarray(i * length, (i + 1) * length)),
  );
  backend.disposeData(buffer.dataId);
  return outputs;
}
