import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';

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
