import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Dwt2D, type Dwt2DInputs, haarForward } from '@wavemix/core';
import { heapViews } from './heap';

export function dwt2D(args: { inputs: Dwt2DInputs; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x!;
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const { outputs, inputViews, outputViews } = heapViews(
    backend,
    [x],
    [[b, Math.ceil(h / 2), Math.ceil(w / 2), 4 * c]],
  );
  haarForward(inputViews[0]!, b, h, w, c, c, outputViews[0]!);
  return outputs[0]!;
}

export const dwt2DConfig: KernelConfig = {
  kernelName: Dwt2D,
  backendName: 'wasm',
  kernelFunc: dwt2D as unknown as KernelFunc,
};
