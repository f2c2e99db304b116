import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { SeededDropout, type SeededDropoutAttrs, seededDropoutImpl } from '@wavemix/core';

function seededDropout({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo };
  backend: MathBackendCPU;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { x } = inputs;
  const { rate, seed } = attrs as unknown as SeededDropoutAttrs;
  const out = new Float32Array(x.shape.reduce((a, d) => a * d, 1));
  seededDropoutImpl(backend.data.get(x.dataId).values as Float32Array, rate, seed, out);
  return backend.makeTensorInfo(x.shape, 'float32', out);
}

export const seededDropoutConfig: KernelConfig = {
  kernelName: SeededDropout,
  backendName: 'cpu',
  kernelFunc: seededDropout as unknown as KernelFunc,
};
