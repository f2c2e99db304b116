// The conformance suite on the cpu backend with no WaveMix kernels registered: this checks the
// plain-ops composite (the fallback for every backend and the oracle of the kernel packages)
// against the PyTorch fixtures, worked examples and identities.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { allConformanceCases } from './suites';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// kernels: [] makes the first case check that no WaveMix kernel is registered here.
for (const testCase of allConformanceCases({ backend: 'cpu', kernels: [] })) {
  test(testCase.name, testCase.run);
}
