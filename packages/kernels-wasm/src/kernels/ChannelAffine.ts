import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { ChannelAffine, type ChannelAffineInputs } from '@wavemix/core';
import { heapOffset, trainKernels } from '../train/module';
import { size } from './fast/override';

/**
 * @wavemix/core's ChannelAffine in one pass (csrc/elementwise.inc.c channel_affine): x * scale +
 * shift (+ residual) per channel, where the bias add, the inference BatchNorm and the residual add
 * took three (each reading and writing the whole map). Forward only: core's GradConfig runs the
 * gradient.
 */
function channelAffine({ inputs, backend }: { inputs: ChannelAffineInputs; backend: BackendWasm }): TensorInfo {
  const { x, scale, shift, residual } = inputs as Record<keyof ChannelAffineInputs, TensorInfo | undefined>;
  const out = backend.makeOutput([...x!.shape], 'float32');
  const channels = x!.shape[x!.shape.length - 1]!;
  const rows = size(x!.shape) / channels;
  if (rows > 0) {
    trainKernels(backend).channel_affine(
      heapOffset(backend, x!),
      heapOffset(backend, scale!),
      heapOffset(backend, shift!),
      residual ? heapOffset(backend, residual) : 0,
      heapOffset(backend, out),
      rows,
      channels,
    );
  }
  return out;
}

export const channelAffineConfig: KernelConfig = {
  kernelName: ChannelAffine,
  backendName: 'wasm',
  kernelFunc: channelAffine as unknown as KernelFunc,
};
