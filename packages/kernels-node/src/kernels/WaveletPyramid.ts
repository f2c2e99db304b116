import type { KernelConfig, KernelFunc, Tensor4D } from '@tensorflow/tfjs-core';
import { WaveletPyramid, type WaveletPyramidAttrs, type WaveletPyramidInputs } from '@wavemix/core';
import { haarPyramidOps } from '../haar_ops';
import { withTensor } from './as_tensor';

export function waveletPyramid(args: { inputs: WaveletPyramidInputs; attrs: WaveletPyramidAttrs }): Tensor4D[] {
  return withTensor(args.inputs.x!, (x) => haarPyramidOps(x, args.attrs.levels));
}

export const waveletPyramidConfig: KernelConfig = {
  kernelName: WaveletPyramid,
  backendName: 'tensorflow',
  kernelFunc: waveletPyramid as unknown as KernelFunc,
};
