import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { WaveletPyramid, type WaveletPyramidAttrs, type WaveletPyramidInputs } from '@wavemix/core';
import { HaarForwardPackedProgram } from '../programs';
import { runWaveMixProgram } from '../run_program';

/**
 * One program per level, each reading only the LL quarter of the level before it. A WebGL program
 * renders exactly one output texture (tfjs has no multiple render targets), so a single fused
 * program would have to write every level into one texture and then copy each level out: an
 * extra read and write of all outputs. Chaining instead re-reads only the LL channels, N/4 + N/16
 * + ... < N/3 extra reads for an input of N values, and writes nothing twice.
 */
export function waveletPyramid(args: {
  inputs: WaveletPyramidInputs;
  backend: MathBackendWebGL;
  attrs: WaveletPyramidAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const channels = x.shape[3]!;
  const outputs: TensorInfo[] = [];
  let input: TensorInfo = x;
  try {
    for (let level = 0; level < attrs.levels; level++) {
      const program = new HaarForwardPackedProgram(input.shape as [number, number, number, number], channels);
      input = runWaveMixProgram(backend, WaveletPyramid, program, [input]);
      outputs.push(input);
    }
  } catch (error) {
    outputs.forEach((output) => backend.disposeIntermediateTensorInfo(output));
    throw error;
  }
  return outputs;
}

export const waveletPyramidConfig: KernelConfig = {
  kernelName: WaveletPyramid,
  backendName: 'webgl',
  kernelFunc: waveletPyramid as unknown as KernelFunc,
};
