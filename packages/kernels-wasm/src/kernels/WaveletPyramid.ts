import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  WaveletPyramid,
  type WaveletPyramidAttrs,
  type WaveletPyramidInputs,
  haarPyramid,
  pyramidShapes,
} from '@wavemix/core';
import { heapViews } from './heap';

export function waveletPyramid(args: {
  inputs: WaveletPyramidInputs;
  backend: BackendWasm;
  attrs: WaveletPyramidAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const shape = x.shape as [number, number, number, number];
  const { outputs, inputViews, outputViews } = heapViews(backend, [x], pyramidShapes(shape, attrs.levels));
  haarPyramid(inputViews[0]!, shape, attrs.levels, outputViews);
  return outputs;
}

export const waveletPyramidConfig: KernelConfig = {
  kernelName: WaveletPyramid,
  backendName: 'wasm',
  kernelFunc: waveletPyramid as unknown as KernelFunc,
};
