import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Idwt2D, type Idwt2DAttrs, type Idwt2DInputs } from '@wavemix/core';
import { HaarInverseProgram } from '../programs';
import { runWaveMixProgram, type WebGPUBackendLike } from '../run_program';

export function idwt2D(args: { inputs: Idwt2DInputs; backend: WebGPUBackendLike; attrs: Idwt2DAttrs }): TensorInfo {
  const y = args.inputs.y!;
  const { outputHeight, outputWidth } = args.attrs;
  const program = new HaarInverseProgram(y.shape as [number, number, number, number], outputHeight, outputWidth);
  return runWaveMixProgram(args.backend, Idwt2D, program, [y]);
}

export const idwt2DConfig: KernelConfig = {
  kernelName: Idwt2D,
  backendName: 'webgpu',
  kernelFunc: idwt2D as unknown as KernelFunc,
};
