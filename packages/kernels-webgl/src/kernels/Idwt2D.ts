import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Idwt2D, type Idwt2DAttrs, type Idwt2DInputs } from '@wavemix/core';
import { HaarInversePackedProgram } from '../programs';
import { runWaveMixProgram } from '../run_program';

export function idwt2D(args: { inputs: Idwt2DInputs; backend: MathBackendWebGL; attrs: Idwt2DAttrs }): TensorInfo {
  const y = args.inputs.y!;
  const { outputHeight, outputWidth } = args.attrs;
  const program = new HaarInversePackedProgram(y.shape as [number, number, number, number], outputHeight, outputWidth);
  return runWaveMixProgram(args.backend, Idwt2D, program, [y]);
}

export const idwt2DConfig: KernelConfig = {
  kernelName: Idwt2D,
  backendName: 'webgl',
  kernelFunc: idwt2D as unknown as KernelFunc,
};
