import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BicubicUpsample2xGrad, type BicubicUpsample2xGradInputs, bicubicUpsample2xGradImpl } from '@wavemix/core';

export function bicubicUpsample2xGrad(args: {
  inputs: BicubicUpsample2xGradInputs;
  backend: MathBackendCPU;
}): TensorInfo {
  const { inputs, backend } = args;
  const dy = inputs.dy!;
  const [b, h2, w2, c] = dy.shape as [number, number, number, number];
  const [h, w] = [h2 / 2, w2 / 2];
  const out = new Float32Array(b * h * w * c);
  bicubicUpsample2xGradImpl(backend.data.get(dy.dataId).values as Float32Array, b, h, w, c, out);
  return backend.makeTensorInfo([b, h, w, c], 'float32', out);
}

export const bicubicUpsample2xGradConfig: KernelConfig = {
  kernelName: BicubicUpsample2xGrad,
  backendName: 'cpu',
  kernelFunc: bicubicUpsample2xGrad as unknown as KernelFunc,
};
