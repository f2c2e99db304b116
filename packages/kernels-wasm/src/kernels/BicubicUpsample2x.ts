import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BicubicUpsample2x, type BicubicUpsample2xInputs, bicubicUpsample2xImpl } from '@wavemix/core';
import { heapViews } from './heap';

export function bicubicUpsample2x(args: { inputs: BicubicUpsample2xInputs; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x!;
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const { outputs, inputViews, outputViews } = heapViews(backend, [x], [[b, 2 * h, 2 * w, c]]);
  bicubicUpsample2xImpl(inputViews[0]!, b, h, w, c, outputViews[0]!);
  return outputs[0]!;
}

export const bicubicUpsample2xConfig: KernelConfig = {
  kernelName: BicubicUpsample2x,
  backendName: 'wasm',
  kernelFunc: bicubicUpsample2x as unknown as KernelFunc,
};
