import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { bicubicConformanceCases, dwtConformanceCases } from '@wavemix/core/testing';
import './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const options = { backend: 'cpu', expectKernels: true };
for (const testCase of [...dwtConformanceCases(options), ...bicubicConformanceCases(options)]) {
  test(testCase.name, testCase.run);
}
