// The kernels on the real `tensorflow` backend. @tensorflow/tfjs-node(-gpu) cannot be installed on
// our CI machines (its install downloads libtensorflow), so this suite runs where a user or a GPU
// machine has one of them installed and reports itself as skipped otherwise.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { Dwt2D, WaveletPyramid } from '@wavemix/core';
import { allConformanceCases } from '@wavemix/core/testing';
import { nodeKernelConfigs } from './base';

function installedTfjsNode(): string | undefined {
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(name);
      return name;
    } catch {
      // not installed
    }
  }
  return undefined;
}

const tfjsNode = installedTfjsNode();

if (tfjsNode === undefined) {
  test.skip('tensorflow backend: skipped, neither @tensorflow/tfjs-node nor @tensorflow/tfjs-node-gpu is installed', () =>
    undefined);
} else {
  describe(`tensorflow backend via ${tfjsNode}`, () => {
    beforeAll(async () => {
      // Installed but not loadable (e.g. libtensorflow missing) is a failure, not a skip.
      require(tfjsNode);
      await import('./index');
      expect(await tf.setBackend('tensorflow')).toBe(true);
    });

    test('our kernels are the ones registered for the tensorflow backend', async () => {
      const { dwt2DConfig, waveletPyramidConfig } = await import('./base');
      expect(tf.getKernel(Dwt2D, 'tensorflow')?.kernelFunc).toBe(dwt2DConfig.kernelFunc);
      expect(tf.getKernel(WaveletPyramid, 'tensorflow')?.kernelFunc).toBe(waveletPyramidConfig.kernelFunc);
    });

    for (const testCase of allConformanceCases({ backend: 'tensorflow', kernels: nodeKernelConfigs })) {
      test(testCase.name, testCase.run);
    }
  });
}
