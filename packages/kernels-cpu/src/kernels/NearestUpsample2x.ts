import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { NearestUpsample2x, type NearestUpsample2xInputs, nearestUpsample2xImpl } from '@wavemix/core';

export function nearestUpsample2x(args: { inputs: NearestUpsample2xInputs; backend: MathBackendCPU }): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x!;
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const out = new Float32Array(b * 4 * h * w * c);
  nearestUpsample2xImpl(backend.data.get(x.dataId).values as Float32Array, b, h, w, c, out);
  return backend.makeTensorInfo([b, 2 * h, 2 * w, c], 'float32', out);
}

export const nearestUpsample2xConfig: KernelConfig = {
  kernelName: NearestUpsample2x,
  backendName: 'cpu',
  kernelFunc: nearestUpsample2x as unknown as KernelFunc,
};
