import { Erf, Exp, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapOffset, trainKernels } from '../../train/module';
import { overrideConfig, size } from './override';

/** exp (Cephes polynomial, ~1 ulp) and erf (the Abramowitz-Stegun form tfjs uses on cpu) in SIMD. */
const unary = (kernelName: string, which: 'exp_f32' | 'erf_f32') => (fallback?: KernelConfig) =>
  overrideConfig<{ x?: TensorInfo }, unknown>(kernelName, fallback, ({ inputs, backend }) => {
    const x = inputs.x!;
    if (x.dtype !== 'float32') return null;
    const out = backend.makeOutput([...x.shape], 'float32');
    const n = size(x.shape);
    if (n > 0) trainKernels(backend)[which](heapOffset(backend, x), heapOffset(backend, out), n);
    return out;
  });

export const expOverride = unary(Exp, 'exp_f32');
export const erfOverride = unary(Erf, 'erf_f32');
