// The conformance suite on tfjs-backend-webgpu in Node (Dawn on SwiftShader's Vulkan driver in
// CI, or whatever VK_ICD_FILENAMES names). Results are read with `await data()`: synchronous
// reads need OffscreenCanvas, which Node lacks.
import './node_webgpu_setup';
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { allConformanceCases } from '@wavemix/core/testing';
import { webgpuKernelConfigs } from './base';
import './index';
import { webgpuKernelCases } from './testing';

beforeAll(async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
  await tf.ready();
});

afterAll(() => {
  // Dawn keeps the process alive while the device exists.
  tf.removeBackend('webgpu');
});

for (const testCase of [
  ...allConformanceCases({ backend: 'webgpu', kernels: webgpuKernelConfigs }),
  ...webgpuKernelCases(),
]) {
  test(testCase.name, testCase.run);
}
