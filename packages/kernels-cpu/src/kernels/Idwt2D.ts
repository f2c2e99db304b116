import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Idwt2D, type Idwt2DAttrs, type Idwt2DInputs, haarInverse } from '@wavemix/core';

export function idwt2D(args: { inputs: Idwt2DInputs; backend: MathBackendCPU; attrs: Idwt2DAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const y = inputs.y!;
  const [b, h2, w2, c4] = y.shape as [number, number, number, number];
  const c = c4 / 4;
  const { outputHeight, outputWidth } = attrs;
  const out = new Float32Array(b * outputHeight * outputWidth * c);
  haarInverse(backend.data.get(y.dataId).values as Float32Array, b, h2, w2, c, outputHeight, outputWidth, out);
  return backend.makeTensorInfo([b, outputHeight, outputWidth, c], 'float32', out);
}

export const idwt2DConfig: KernelConfig = {
  kernelName: Idwt2D,
  backendName: 'cpu',
  kernelFunc: idwt2D as unknown as KernelFunc,
};
