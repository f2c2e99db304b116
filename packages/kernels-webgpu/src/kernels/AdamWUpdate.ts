import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { AdamWUpdate, type AdamWUpdateAttrs, type AdamWUpdateInputs, assertAdamWUpdateInputs } from '@wavemix/core';
import { AdamWProgram } from '../adamw_programs';
import { runWaveMixProgram, type WebGPUBackendLike } from '../run_program';

/** One AdamW step of one variable in three dispatches: returns `[m', v', param']` (see adamw_programs.ts). */
export function adamWUpdate(args: {
  inputs: AdamWUpdateInputs;
  backend: WebGPUBackendLike;
  attrs: AdamWUpdateAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { param, gradient, m, v } = inputs as Record<keyof AdamWUpdateInputs, TensorInfo>;
  assertAdamWUpdateInputs({ param, gradient, m, v });
  const run = (stage: AdamWProgram['stage'], stageInputs: TensorInfo[]) =>
    runWaveMixProgram(backend, AdamWUpdate, new AdamWProgram(stage, param.shape, attrs), stageInputs);
  const outputs: TensorInfo[] = [];
  try {
    outputs.push(run('moment1', [m, gradient]));
    outputs.push(run('moment2', [v, gradient]));
    outputs.push(run('param', [param, outputs[0]!, outputs[1]!]));
  } catch (error) {
    outputs.forEach((output) => backend.disposeData(output.dataId));
    throw error;
  }
  return outputs;
}

export const adamWUpdateConfig: KernelConfig = {
  kernelName: AdamWUpdate,
  backendName: 'webgpu',
  kernelFunc: adamWUpdate as unknown as KernelFunc,
};
