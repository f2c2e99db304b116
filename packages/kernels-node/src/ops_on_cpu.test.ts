// The TensorFlow-op bodies of the tensorflow-backend kernels, registered under `cpu` and held to the
// full conformance suite (PyTorch fixtures, worked examples, odd sizes, gradients through the
// kernels, no tensor growth). They use only ops every backend has, so this is the code that runs
// on tfjs-node; the tensorflow backend itself is tested in tfjs_node.test.ts when installed.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Dwt2D, registerKernelsOnce } from '@wavemix/core';
import { allConformanceCases } from '@wavemix/core/testing';
import { depthwiseFromWaveMix, haarDepthwiseFilter, nodeKernelConfigsFor, waveMixFromDepthwise } from './base';

beforeAll(async () => {
  await tf.setBackend('cpu');
  expect(registerKernelsOnce(nodeKernelConfigsFor('cpu'))).toHaveLength(3);
});

test('the kernels that run here are the TensorFlow-op bodies', () => {
  expect(tf.getKernel(Dwt2D, 'cpu')?.kernelFunc).toBe(nodeKernelConfigsFor('cpu')[0]!.kernelFunc);
});

test('channel permutations: WaveMix layout [LL_0, LL_1, LH_0, HL_0, HH_0, LH_1, HL_1, HH_1] for two channels', () => {
  expect(Array.from(waveMixFromDepthwise(2))).toEqual([0, 4, 1, 2, 3, 5, 6, 7]);
  expect(Array.from(depthwiseFromWaveMix(2))).toEqual([0, 2, 3, 4, 1, 5, 6, 7]);
});

test('the depthwise filter holds the Haar signs x 1/2 (rows = H, columns = W)', async () => {
  const filter = haarDepthwiseFilter(1);
  // [row][col][band]: LL + + + +, LH + + - -, HL + - + -, HH + - - +
  expect(Array.from(await filter.data())).toEqual([
    0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5, -0.5, 0.5,
  ]);
  filter.dispose();
});

for (const testCase of allConformanceCases({ backend: 'cpu', kernels: nodeKernelConfigsFor('cpu') })) {
  test(testCase.name, testCase.run);
}
