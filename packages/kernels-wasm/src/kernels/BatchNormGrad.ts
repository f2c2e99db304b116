import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';

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
  // Four [cols] views of one buffer: split by copying (they are tiny).
  const all = backend.typedArrayFromHeap(grads) as Float32Array;
  const parts = [0, 1, 2, 3].map((i) => all.slice(i * cols, (i + 1) * cols));
  backend.disposeData(grads.dataId);
  const outs = parts.map((values) => {
    const out = backend.makeOutput([cols], 'float32');
    (backend.typedArrayFromHeap(out) as Float32Array).set(values);
    return out;
  });
  return [dx, ...outs];
}

export const batchNormGradConfig: KernelConfig = {
  kernelName: WasmBatchNormGrad,
  backendName: 'wasm',
  kernelFunc: batchNormGrad as unknown as KernelFunc,
};
