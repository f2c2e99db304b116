import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { NearestUpsample2x, type NearestUpsample2xInputs, nearestUpsample2xImpl } from '@wavemix/core';
import { heapOffset, type TrainKernelExports, trainKernels, trainKernelsAvailable } from '../train/module';
import { heapViews } from './heap';

/** The export of csrc/upsample.inc.c (pointers are byte offsets on the backend heap). */
type NearestUpsample2xExport = (x: number, y: number, rows: number, w: number, c: number) => void;

/**
 * One SIMD pass (csrc/upsample.inc.c) instead of the backend's ResizeNearestNeighbor, which
 * computes source coordinates per output element; the typed-array loop where the kernel module
 * cannot run (the backend's multi-threaded build).
 */
export function nearestUpsample2x(args: { inputs: NearestUpsample2xInputs; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x!;
  const [b, h, w, c] = x.shape as [number, number, number, number];
  if (!trainKernelsAvailable(backend)) {
    const { outputs, inputViews, outputViews } = heapViews(backend, [x], [[b, 2 * h, 2 * w, c]]);
    nearestUpsample2xImpl(inputViews[0]!, b, h, w, c, outputViews[0]!);
    return outputs[0]!;
  }
  const out = backend.makeOutput([b, 2 * h, 2 * w, c], 'float32');
  const kernels = trainKernels(backend) as TrainKernelExports & { nearest_upsample2x: NearestUpsample2xExport };
  kernels.nearest_upsample2x(heapOffset(backend, x), heapOffset(backend, out), b * h, w, c);
  return out;
}

export const nearestUpsample2xConfig: KernelConfig = {
  kernelName: NearestUpsample2x,
  backendName: 'wasm',
  kernelFunc: nearestUpsample2x as unknown as KernelFunc,
};
