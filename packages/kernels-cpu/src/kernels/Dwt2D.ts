import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Dwt2D, type Dwt2DInputs, haarForward } from '@wavemix/core';

export function dwt2D(args: { inputs: Dwt2DInputs; backend: MathBackendCPU }): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x!;
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const h2 = Math.ceil(h / 2);
  const w2 = Math.ceil(w / 2);
  const out = new Float32Array(b * h2 * w2 * 4 * c);
  haarForward(backend.data.get(x.dataId).values as Float32Array, b, h, w, c, c, out);
  return backend.makeTensorInfo([b, h2, w2, 4 * c], 'float32', out);
}

export const dwt2DConfig: KernelConfig = {
  kernelName: Dwt2D,
  backendName: 'cpu',
  kernelFunc: dwt2D as unknown as KernelFunc,
};
