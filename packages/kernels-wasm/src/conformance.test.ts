import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { allConformanceCases } from '@wavemix/core/testing';
import { wasmKernelConfigs } from './base';
import './index';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

for (const testCase of allConformanceCases({ backend: 'wasm', kernels: wasmKernelConfigs })) {
  test(testCase.name, testCase.run);
}
