import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BicubicUpsample2x, type BicubicUpsample2xInputs, bicubicUpsample2xImpl } from '@wavemix/core';

export function bicubicUpsample2x(args: { inputs: BicubicUpsample2xInputs; backend: MathBackendCPU }): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x!;
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const out = new Float32Array(b * 4 * h * w * c);
  bicubicUpsample2xImpl(backend.data.get(x.dataId).values as Float32Array, b, h, w, c, out);
  return backend.makeTensorInfo([b, 2 * h, 2 * w, c], 'float32', out);
}

export const bicubicUpsample2xConfig: KernelConfig = {
  kernelName: BicubicUpsample2x,
  backendName: 'cpu',
  kernelFunc: bicubicUpsample2x as unknown as KernelFunc,
};
