import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { WaveletPyramid, type WaveletPyramidAttrs, type WaveletPyramidInputs } from '@wavemix/core';
import { HaarForwardProgram } from '../programs';
import { runWaveMixProgram, type WebGPUBackendLike } from '../run_program';

/**
 * One dispatch per level, each reading only the LL quarter of the level before it (the same
 * pipeline as dwt2d, with the input's channel stride as a uniform). runWebGPUProgram binds a
 * single output buffer and tfjs tensors cannot alias parts of one buffer, so a fused program would
 * have to write all levels into one buffer and copy each level out: an extra read and write of
 * every output. Chaining re-reads only the LL channels, N/4 + N/16 + ... < N/3 of the input's N
 * values, and writes each output once.
 */
export function waveletPyramid(args: {
  inputs: WaveletPyramidInputs;
  backend: WebGPUBackendLike;
  attrs: WaveletPyramidAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const channels = x.shape[3]!;
  const outputs: TensorInfo[] = [];
  let input: TensorInfo = x;
  try {
    for (let level = 0; level < attrs.levels; level++) {
      const program = new HaarForwardProgram(input.shape as [number, number, number, number], channels);
      input = runWaveMixProgram(backend, WaveletPyramid, program, [input]);
      outputs.push(input);
    }
  } catch (error) {
    outputs.forEach((output) => backend.disposeData(output.dataId));
    throw error;
  }
  return outputs;
}

export const waveletPyramidConfig: KernelConfig = {
  kernelName: WaveletPyramid,
  backendName: 'webgpu',
  kernelFunc: waveletPyramid as unknown as KernelFunc,
};
