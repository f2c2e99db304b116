import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BicubicUpsample2xGrad, type BicubicUpsample2xGradInputs, bicubicUpsample2xGradImpl } from '@wavemix/core';
import { heapViews } from './heap';

export function bicubicUpsample2xGrad(args: { inputs: BicubicUpsample2xGradInputs; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const dy = inputs.dy!;
  const [b, h2, w2, c] = dy.shape as [number, number, number, number];
  const { outputs, inputViews, outputViews } = heapViews(backend, [dy], [[b, h2 / 2, w2 / 2, c]]);
  bicubicUpsample2xGradImpl(inputViews[0]!, b, h2 / 2, w2 / 2, c, outputViews[0]!);
  return outputs[0]!;
}

export const bicubicUpsample2xGradConfig: KernelConfig = {
  kernelName: BicubicUpsample2xGrad,
  backendName: 'wasm',
  kernelFunc: bicubicUpsample2xGrad as unknown as KernelFunc,
};
