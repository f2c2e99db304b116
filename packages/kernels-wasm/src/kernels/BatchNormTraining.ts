import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { BatchNormTraining, type BatchNormTrainingAttrs } from '@wavemix/core';
import { size } from './fast/override';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';

/** Floats of scratch for `channels`: 3 float rows (even length, so the doubles after them are 8-byte aligned) and one double row. */
const scratchFloats = (channels: number) => 3 * (channels + (channels & 1)) + 2 * channels;

/**
 * @wavemix/core's BatchNormTraining in one kernel (csrc/elementwise.inc.c batchnorm_train):
 * the mean and biased variance in two passes over x, then y in a third. tf.moments + tf.batchNorm
 * take five kernels, and their gradients keep x - mean and its square for the backward pass.
 */
function batchNormTraining({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo[] {
  const { x, scale, offset } = inputs;
  const { epsilon } = attrs as unknown as BatchNormTrainingAttrs;
  const channels = x.shape[x.shape.length - 1]!;
  const y = backend.makeOutput([...x.shape], 'float32');
  const mean = backend.makeOutput([channels], 'float32');
  const variance = backend.makeOutput([channels], 'float32');
  const scratch = allocScratch(backend, scratchFloats(channels));
  trainKernels(backend).batchnorm_train(
    heapOffset(backend, x),
    heapOffset(backend, scale),
    heapOffset(backend, offset),
    heapOffset(backend, y),
    heapOffset(backend, mean),
    heapOffset(backend, variance),
    heapOffset(backend, scratch),
    size(x.shape) / channels,
    channels,
    epsilon,
  );
  disposeScratch(backend, scratch);
  return [y, mean, variance];
}

export const batchNormTrainingConfig: KernelConfig = {
  kernelName: BatchNormTraining,
  backendName: 'wasm',
  kernelFunc: batchNormTraining as unknown as KernelFunc,
};
