import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { NearestUpsample2xGrad, type NearestUpsample2xGradInputs, nearestUpsample2xGradImpl } from '@wavemix/core';

export function nearestUpsample2xGrad(args: {
  inputs: NearestUpsample2xGradInputs;
  backend: MathBackendCPU;
}): TensorInfo {
  const { inputs, backend } = args;
  const dy = inputs.dy!;
  const [b, h2, w2, c] = dy.shape as [number, number, number, number];
  const [h, w] = [h2 / 2, w2 / 2];
  const out = new Float32Array(b * h * w * c);
  nearestUpsample2xGradImpl(backend.data.get(dy.dataId).values as Float32Array, b, h, w, c, out);
  return backend.makeTensorInfo([b, h, w, c], 'float32', out);
}

export const nearestUpsample2xGradConfig: KernelConfig = {
  kernelName: NearestUpsample2xGrad,
  backendName: 'cpu',
  kernelFunc: nearestUpsample2xGrad as unknown as KernelFunc,
};
