import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { allConformanceCases } from '@wavemix/core/testing';
import { cpuKernelConfigs } from './base';
import './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

for (const testCase of allConformanceCases({ backend: 'cpu', kernels: cpuKernelConfigs })) {
  test(testCase.name, testCase.run);
}
