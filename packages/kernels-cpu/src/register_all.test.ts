import * as tf from '@tensorflow/tfjs-core';
import { Dwt2D, registerKernelsOnce } from '@wavemix/core';

test('base has no side effects; importing registers; registering again is a silent no-op', async () => {
  const base = await import('./base');
  expect(base.cpuKernelConfigs).toHaveLength(10);
  expect(tf.getKernel(Dwt2D, 'cpu')).toBeUndefined();
  await import('./index');
  expect(tf.getKernel(Dwt2D, 'cpu')?.kernelFunc).toBe(base.dwt2DConfig.kernelFunc);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  expect(registerKernelsOnce(base.cpuKernelConfigs)).toEqual([]);
  expect(warn).not.toHaveBeenCalled();
  warn.mockRestore();
});
