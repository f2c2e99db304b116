import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  WaveletPyramid,
  type WaveletPyramidAttrs,
  type WaveletPyramidInputs,
  haarPyramid,
  pyramidShapes,
} from '@wavemix/core';

export function waveletPyramid(args: {
  inputs: WaveletPyramidInputs;
  backend: MathBackendCPU;
  attrs: WaveletPyramidAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const shape = x.shape as [number, number, number, number];
  const shapes = pyramidShapes(shape, attrs.levels);
  const outs = shapes.map((s) => new Float32Array(s[0] * s[1] * s[2] * s[3]));
  haarPyramid(backend.data.get(x.dataId).values as Float32Array, shape, attrs.levels, outs);
  return shapes.map((s, level) => backend.makeTensorInfo(s, 'float32', outs[level]));
}

export const waveletPyramidConfig: KernelConfig = {
  kernelName: WaveletPyramid,
  backendName: 'cpu',
  kernelFunc: waveletPyramid as unknown as KernelFunc,
};
