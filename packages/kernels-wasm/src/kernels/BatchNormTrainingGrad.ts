import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { BatchNormTrainingGrad, type BatchNormTrainingAttrs } from '@wavemix/core';
import { size } from './fast/override';
import { allocScratch, disposeScratch, heapOffset, trainKernels } from '../train/module';
import { splitHeapBuffer } from './heap';

/** Floats of scratch for `channels`: 5 float rows (even length, keeping the doubles after them 8-byte aligned) and two double rows. */
const scratchFloats = (channels: number) => 5 * (channels + (channels & 1)) + 4 * channels;

type Inputs = Record<'dy' | 'x' | 'mean' | 'variance' | 'scale' | 'dMean' | 'dVariance', TensorInfo>;

/**
 * BatchNormTraining's gradient (csrc/elementwise.inc.c batchnorm_train_grad): one pass over x and
 * dy for the per-channel sums, one for dx; outputs dx, dScale, dOffset.
 */
function batchNormTrainingGrad({
  inputs,
  backend,
  attrs,
}: {
  inputs: Inputs;
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo[] {
  const { epsilon } = attrs as unknown as BatchNormTrainingAttrs;
  const { x } = inputs;
  const channels = x.shape[x.shape.length - 1]!;
  const dx = backend.makeOutput([...x.shape], 'float32');
  const grads = allocScratch(backend, 2 * channels);
  const scratch = allocScratch(backend, scratchFloats(channels));
  const at = (name: keyof Inputs) => heapOffset(backend, inputs[name]);
  trainKernels(backend).batchnorm_train_grad(
    at('x'),
    at('dy'),
    at('mean'),
    at('variance'),
    at('scale'),
    at('dMean'),
    at('dVariance'),
    heapOffset(backend, dx),
    heapOffset(backend, grads),
    heapOffset(backend, scratch),
    size(x.shape) / channels,
    channels,
    epsilon,
  );
  disposeScratch(backend, scratch);
  // dScale and dOffset, written side by side.
  return [dx, ...splitHeapBuffer(backend, grads, 2, channels)];
}

export const batchNormTrainingGradConfig: KernelConfig = {
  kernelName: BatchNormTrainingGrad,
  backendName: 'wasm',
  kernelFunc: batchNormTrainingGrad as unknown as KernelFunc,
};
