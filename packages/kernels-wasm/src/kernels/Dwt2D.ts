import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Dwt2D, type Dwt2DInputs, haarForward } from '@wavemix/core';
import { heapOffset, trainKernels } from '../train/module';
import { haarKernelsApply, heapViews } from './heap';

export function dwt2D(args: { inputs: Dwt2DInputs; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x!;
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const outShape = [b, Math.ceil(h / 2), Math.ceil(w / 2), 4 * c];
  if (haarKernelsApply(backend, c)) {
    const out = backend.makeOutput(outShape, 'float32');
    if (b * h * w * c > 0)
      trainKernels(backend).haar_forward(heapOffset(backend, x), heapOffset(backend, out), b, h, w, c, c);
    return out;
  }
  const { outputs, inputViews, outputViews } = heapViews(backend, [x], [outShape]);
  haarForward(inputViews[0]!, b, h, w, c, c, outputViews[0]!);
  return outputs[0]!;
}

export const dwt2DConfig: KernelConfig = {
  kernelName: Dwt2D,
  backendName: 'wasm',
  kernelFunc: dwt2D as unknown as KernelFunc,
};
