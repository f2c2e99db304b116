import type { TensorInfo } from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '@wavemix/core';

export function assertFloat32(kernel: string, tensors: Record<string, TensorInfo>): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'float32') throw new WaveMixArgumentError(name, `${kernel} on wasm needs float32, got ${t.dtype}`);
  }
}

export function assertChannelsLast(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new WaveMixArgumentError('dataFormat', `${kernel} on wasm supports NHWC only, got ${dataFormat}`);
  }
}
