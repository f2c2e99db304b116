import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  WaveletPyramid,
  type WaveletPyramidAttrs,
  type WaveletPyramidInputs,
  haarPyramid,
  pyramidShapes,
} from '@wavemix/core';
import { heapOffset, trainKernels } from '../train/module';
import { haarKernelsApply, heapViews } from './heap';

export function waveletPyramid(args: {
  inputs: WaveletPyramidInputs;
  backend: BackendWasm;
  attrs: WaveletPyramidAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const shape = x.shape as [number, number, number, number];
  const shapes = pyramidShapes(shape, attrs.levels);
  const [b, , , c] = shape;
  if (haarKernelsApply(backend, c)) {
    // Level 1 reads x; each further level reads the LL channels (the first c of 4c) of the one before.
    const outputs = shapes.map((s) => backend.makeOutput([...s], 'float32'));
    if (shape.every((d) => d > 0)) {
      const kernels = trainKernels(backend);
      let [src, h, w, stride] = [heapOffset(backend, x), shape[1], shape[2], c];
      for (const out of outputs) {
        const dst = heapOffset(backend, out);
        kernels.haar_forward(src, dst, b, h, w, c, stride);
        [src, h, w, stride] = [dst, Math.ceil(h / 2), Math.ceil(w / 2), 4 * c];
      }
    }
    return outputs;
  }
  const { outputs, inputViews, outputViews } = heapViews(backend, [x], shapes);
  haarPyramid(inputViews[0]!, shape, attrs.levels, outputViews);
  return outputs;
}

export const waveletPyramidConfig: KernelConfig = {
  kernelName: WaveletPyramid,
  backendName: 'wasm',
  kernelFunc: waveletPyramid as unknown as KernelFunc,
};
