// The conformance suite on the cpu backend with no WaveMix kernels registered: this checks the
// plain-ops composite (the fallback for every backend and the oracle of the kernel packages)
// against the PyTorch fixtures, worked examples and identities.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Dwt2D } from '../kernel_names';
import { bicubicConformanceCases } from './bicubic_conformance';
import { dwtConformanceCases } from './conformance';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('the composite is what runs here (no kernel registered)', () => {
  expect(tf.getKernel(Dwt2D, 'cpu')).toBeUndefined();
});

for (const testCase of [...dwtConformanceCases({ backend: 'cpu' }), ...bicubicConformanceCases({ backend: 'cpu' })]) {
  test(testCase.name, testCase.run);
}
