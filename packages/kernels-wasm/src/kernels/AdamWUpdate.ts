import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { AdamWUpdate, type AdamWUpdateAttrs, type AdamWUpdateInputs, assertAdamWUpdateInputs } from '@wavemix/core';
import { heapViews } from './heap';

const f32 = Math.fround;

/**
 * One AdamW step of one variable in one pass: `[m', v', param']`. The composite is 15 kernels per
 * variable, and a small network's step has more variables than big tensors (Lite-8/10: 70
 * variables of 2 to 288 values, ~1,000 kernel calls per step). Each operation is rounded to
 * float32 in the composite's order, so the result is the composite's bit for bit.
 */
export function adamWUpdate(args: {
  inputs: AdamWUpdateInputs;
  backend: BackendWasm;
  attrs: AdamWUpdateAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { param, gradient, m, v } = inputs as Record<keyof AdamWUpdateInputs, TensorInfo>;
  assertAdamWUpdateInputs({ param, gradient, m, v });
  const shape = param.shape;
  const { outputs, outputViews, inputViews } = heapViews(backend, [param, gradient, m, v], [shape, shape, shape]);
  const [p0, g, m0, v0] = inputViews as [Float32Array, Float32Array, Float32Array, Float32Array];
  const [m1, v1, p1] = outputViews as [Float32Array, Float32Array, Float32Array];
  // The scalars as the composite's float32 scalar tensors hold them.
  const beta1 = f32(attrs.beta1);
  const keep1 = f32(1 - attrs.beta1);
  const beta2 = f32(attrs.beta2);
  const keep2 = f32(1 - attrs.beta2);
  const correction1 = f32(attrs.correction1);
  const correction2 = f32(attrs.correction2);
  const epsilon = f32(attrs.epsilon);
  const decay = f32(1 - attrs.learningRate * attrs.weightDecay);
  const lr = f32(attrs.learningRate);
  for (let i = 0; i < p0.length; i++) {
    const gi = g[i]!;
    const mi = f32(f32(m0[i]! * beta1) + f32(gi * keep1));
    const vi = f32(f32(v0[i]! * beta2) + f32(f32(gi * gi) * keep2));
    const update = f32(f32(mi / correction1) / f32(f32(Math.sqrt(f32(vi / correction2))) + epsilon));
    m1[i] = mi;
    v1[i] = vi;
    p1[i] = f32(p0[i]! * decay) - f32(update * lr);
  }
  return outputs;
}

export const adamWUpdateConfig: KernelConfig = {
  kernelName: AdamWUpdate,
  backendName: 'wasm',
  kernelFunc: adamWUpdate as unknown as KernelFunc,
};
