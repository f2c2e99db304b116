import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { dropoutScale, dropoutSeedKey, dropoutThreshold, SeededDropout, type SeededDropoutAttrs } from '@wavemix/core';
import { heapOffset, trainKernels } from '../train/module';

/**
 * @wavemix/core's SeededDropout in one pass (csrc/elementwise.inc.c): the mask is hashed from the
 * element index in SIMD lanes instead of drawn element by element in JavaScript and multiplied in.
 */
function seededDropout({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { x } = inputs;
  const { rate, seed } = attrs as unknown as SeededDropoutAttrs;
  const out = backend.makeOutput([...x.shape], 'float32');
  const n = x.shape.reduce((a, b) => a * b, 1);
  if (n > 0) {
    trainKernels(backend).seeded_dropout(
      heapOffset(backend, x),
      heapOffset(backend, out),
      n,
      dropoutSeedKey(seed),
      dropoutThreshold(rate),
      dropoutScale(rate),
    );
  }
  return out;
}

export const seededDropoutConfig: KernelConfig = {
  kernelName: SeededDropout,
  backendName: 'wasm',
  kernelFunc: seededDropout as unknown as KernelFunc,
};
