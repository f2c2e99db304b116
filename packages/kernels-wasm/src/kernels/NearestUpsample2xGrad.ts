import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { NearestUpsample2xGrad, type NearestUpsample2xGradInputs, nearestUpsample2xGradImpl } from '@wavemix/core';
import { heapOffset, type TrainKernelExports, trainKernels, trainKernelsAvailable } from '../train/module';
import { heapViews } from './heap';

/** The export of csrc/upsample.inc.c (pointers are byte offsets on the backend heap). */
type NearestUpsample2xGradExport = (dy: number, dx: number, rows: number, w: number, c: number) => void;

/**
 * The 2x2 block sums in one SIMD pass (csrc/upsample.inc.c): the composite's Sum over axes [2, 4]
 * of a rank-6 view makes the backend transpose first. The typed-array loop where the kernel
 * module cannot run (the backend's multi-threaded build).
 */
export function nearestUpsample2xGrad(args: { inputs: NearestUpsample2xGradInputs; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const dy = inputs.dy!;
  const [b, h2, w2, c] = dy.shape as [number, number, number, number];
  const [h, w] = [h2 / 2, w2 / 2];
  if (!trainKernelsAvailable(backend)) {
    const { outputs, inputViews, outputViews } = heapViews(backend, [dy], [[b, h, w, c]]);
    nearestUpsample2xGradImpl(inputViews[0]!, b, h, w, c, outputViews[0]!);
    return outputs[0]!;
  }
  const out = backend.makeOutput([b, h, w, c], 'float32');
  const kernels = trainKernels(backend) as TrainKernelExports & {
    nearest_upsample2x_grad: NearestUpsample2xGradExport;
  };
  kernels.nearest_upsample2x_grad(heapOffset(backend, dy), heapOffset(backend, out), b * h, w, c);
  return out;
}

export const nearestUpsample2xGradConfig: KernelConfig = {
  kernelName: NearestUpsample2xGrad,
  backendName: 'wasm',
  kernelFunc: nearestUpsample2xGrad as unknown as KernelFunc,
};
