import type { KernelConfig, KernelFunc, Tensor4D } from '@tensorflow/tfjs-core';
import { Dwt2D, type Dwt2DInputs } from '@wavemix/core';
import { haarForwardOps } from '../haar_ops';
import { withTensor } from './as_tensor';

export function dwt2D(args: { inputs: Dwt2DInputs }): Tensor4D {
  return withTensor(args.inputs.x!, haarForwardOps);
}

export const dwt2DConfig: KernelConfig = {
  kernelName: Dwt2D,
  backendName: 'tensorflow',
  kernelFunc: dwt2D as unknown as KernelFunc,
};
