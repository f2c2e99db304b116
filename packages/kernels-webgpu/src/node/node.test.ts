// The supported Node entry on this machine's only adapter, SwiftShader (Debian chromium's Vulkan
// ICD): it must be recognised as software and refused unless allowed.
import { existsSync } from 'node:fs';
import {
  describeAdapter,
  probeWebGPUAdapter,
  setupNodeWebGPU,
  SWIFTSHADER_ICD,
  WaveMixWebGPUUnavailableError,
} from './index';

const haveSwiftShader = existsSync(SWIFTSHADER_ICD);
const maybe = haveSwiftShader ? test : test.skip;

maybe('probes SwiftShader as a software adapter without installing navigator.gpu', async () => {
  const adapter = await probeWebGPUAdapter({ vulkanIcd: SWIFTSHADER_ICD });
  expect(adapter).not.toBeNull();
  expect(adapter!.software).toBe(true);
  expect(adapter!.vulkanDriver).toBe(SWIFTSHADER_ICD);
  expect(describeAdapter(adapter!)).toMatch(/software/);
  expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
});

maybe('refuses a software adapter by default, with the adapter named in the error', async () => {
  const error = await setupNodeWebGPU({ vulkanIcd: SWIFTSHADER_ICD }).catch((e: unknown) => e);
  expect(WaveMixWebGPUUnavailableError.isInstance(error)).toBe(true);
  expect((error as Error).message).toMatch(/software one .*allow it explicitly/);
  expect((error as WaveMixWebGPUUnavailableError).adapter?.software).toBe(true);
});

maybe(
  'installs navigator.gpu for tfjs when software is allowed, and tfjs-backend-webgpu then trains on it',
  async () => {
    const adapter = await setupNodeWebGPU({ vulkanIcd: SWIFTSHADER_ICD, allowSoftware: true });
    expect(adapter.software).toBe(true);
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    expect(await tf.setBackend('webgpu')).toBe(true);
    const w = tf.variable(tf.tensor1d([1, 2]));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(w)));
    expect(Array.from(await grads[w.name]!.data())).toEqual([2, 4]);
    expect(await value.data()).toEqual(new Float32Array([5]));
    tf.dispose([w, value, ...Object.values(grads)]);
    tf.removeBackend('webgpu');
  },
);
