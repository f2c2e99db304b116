import type { KernelConfig, KernelFunc, Tensor4D } from '@tensorflow/tfjs-core';
import { Idwt2D, type Idwt2DAttrs, type Idwt2DInputs } from '@wavemix/core';
import { haarInverseOps } from '../haar_ops';
import { withTensor } from './as_tensor';

export function idwt2D(args: { inputs: Idwt2DInputs; attrs: Idwt2DAttrs }): Tensor4D {
  const { outputHeight, outputWidth } = args.attrs;
  return withTensor(args.inputs.y!, (y) => haarInverseOps(y, outputHeight, outputWidth));
}

export const idwt2DConfig: KernelConfig = {
  kernelName: Idwt2D,
  backendName: 'tensorflow',
  kernelFunc: idwt2D as unknown as KernelFunc,
};
