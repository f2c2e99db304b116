import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Dwt2D, type Dwt2DInputs } from '@wavemix/core';
import { HaarForwardPackedProgram } from '../programs';
import { runWaveMixProgram } from '../run_program';

export function dwt2D(args: { inputs: Dwt2DInputs; backend: MathBackendWebGL }): TensorInfo {
  const x = args.inputs.x!;
  const shape = x.shape as [number, number, number, number];
  return runWaveMixProgram(args.backend, Dwt2D, new HaarForwardPackedProgram(shape, shape[3]), [x]);
}

export const dwt2DConfig: KernelConfig = {
  kernelName: Dwt2D,
  backendName: 'webgl',
  kernelFunc: dwt2D as unknown as KernelFunc,
};
