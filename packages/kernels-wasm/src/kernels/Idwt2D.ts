import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Idwt2D, type Idwt2DAttrs, type Idwt2DInputs, haarInverse } from '@wavemix/core';
import { heapOffset, trainKernels } from '../train/module';
import { haarKernelsApply, heapViews } from './heap';

export function idwt2D(args: { inputs: Idwt2DInputs; backend: BackendWasm; attrs: Idwt2DAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const y = inputs.y!;
  const [b, h2, w2, c4] = y.shape as [number, number, number, number];
  const { outputHeight, outputWidth } = attrs;
  if (haarKernelsApply(backend, c4 / 4)) {
    const out = backend.makeOutput([b, outputHeight, outputWidth, c4 / 4], 'float32');
    if (b * h2 * w2 * c4 > 0) {
      trainKernels(backend).haar_inverse(
        heapOffset(backend, y),
        heapOffset(backend, out),
        b,
        h2,
        w2,
        c4 / 4,
        outputHeight,
        outputWidth,
      );
    }
    return out;
  }
  const { outputs, inputViews, outputViews } = heapViews(backend, [y], [[b, outputHeight, outputWidth, c4 / 4]]);
  haarInverse(inputViews[0]!, b, h2, w2, c4 / 4, outputHeight, outputWidth, outputViews[0]!);
  return outputs[0]!;
}

export const idwt2DConfig: KernelConfig = {
  kernelName: Idwt2D,
  backendName: 'wasm',
  kernelFunc: idwt2D as unknown as KernelFunc,
};
