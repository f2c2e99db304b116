import * as tf from '@tensorflow/tfjs-core';
import { Dwt2D, registerKernelsOnce } from '@wavemix/core';

test('base has no side effects; importing registers; registering again is a silent no-op', async () => {
  const base = await import('./base');
  expect(base.wasmKernelConfigs).toHaveLength(12);
  expect(tf.getKernel(Dwt2D, 'wasm')).toBeUndefined();
  await import('./index');
  expect(tf.getKernel(Dwt2D, 'wasm')?.kernelFunc).toBe(base.dwt2DConfig.kernelFunc);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  expect(registerKernelsOnce(base.wasmKernelConfigs)).toEqual([]);
  expect(warn).not.toHaveBeenCalled();
  warn.mockRestore();
});
