import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { Dwt2D } from '@wavemix/core';
import { registerWasmTrainingKernels, restoreStockWasmKernels, wasmKernelConfigs, wasmKernelOverrides } from '../base';
import '../index';

test('restoreStockWasmKernels puts the backend kernels back; registering again restores ours', async () => {
  await tf.setBackend('wasm');
  const ours = new Map(wasmKernelOverrides.map(([name]) => [name, tf.getKernel(name, 'wasm')!.kernelFunc]));
  restoreStockWasmKernels({ includeWaveMix: true, waveMixKernels: wasmKernelConfigs });
  expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  expect(tf.getKernel(Dwt2D, 'wasm')).toBeUndefined();
  for (const [name, func] of ours) expect(tf.getKernel(name, 'wasm')?.kernelFunc).not.toBe(func);
  // The stock conv2dTranspose still computes (the backend's scalar kernel).
  const y = tf.conv2dTranspose(
    tf.ones([1, 2, 2, 1]) as tf.Tensor4D,
    tf.ones([2, 2, 1, 1]) as tf.Tensor4D,
    [1, 4, 4, 1],
    2,
    'same',
  );
  expect(Array.from(await y.data())).toEqual(new Array(16).fill(1));
  expect(registerWasmTrainingKernels().sort()).toEqual([...ours.keys()].sort());
  expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
});
