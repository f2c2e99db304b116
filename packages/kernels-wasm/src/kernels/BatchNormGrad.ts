import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';
import { splitHeapBuffer } from './heap';

/**
 * The gradient of FusedBatchNorm with per-channel statistics in one pass (see batchnorm_grad in
 * csrc/train_kernels.c). Inputs x, dy, mean, variance, scale (optional); attr varianceEpsilon.
 * Outputs dx, dmean, dvariance, dscale, doffset.
 */
export const WasmBatchNormGrad = 'WaveMixWasmBatchNormGrad';

export function batchNormGrad(args: {
  inputs: { x?: TensorInfo; dy?: TensorInfo; mean?: TensorInfo; variance?: TensorInfo; scale?: TensorInfo };
  backend: BackendWasm;
  attrs: { varianceEpsilon: number };
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, dy, mean, variance, scale } = inputs as Required<typeof inputs>;
  const cols = x.shape[x.shape.length - 1]!;
  const rows = x.shape.reduce((a, b) => a * b, 1) / cols;
  const dx = backend.makeOutput([...x.shape], 'float32');
  const grads = backend.makeOutput([4 * cols], 'float32');
  const scratch = allocScratch(backend, 6 * cols + 2);
  trainKernels(backend).batchnorm_grad(
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, mean),
    heapOffset(backend, variance),
    scale ? heapOffset(backend, scale) : 0,
    heapOffset(backend, dx),
    heapOffset(backend, grads),
    heapOffset(backend, scratch),
    rows,
    cols,
    attrs.varianceEpsilon,
  );
  disposeScratch(backend, scratch);
  return [dx, ...splitHeapBuffer(backend, grads, 4, cols)];
}

export const batchNormGradConfig: KernelConfig = {
  kernelName: WasmBatchNormGrad,
  backendName: 'wasm',
  kernelFunc: batchNormGrad as unknown as KernelFunc,
};
