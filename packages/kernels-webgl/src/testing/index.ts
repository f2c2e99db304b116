/**
 * WebGL-specific cases run beside the core conformance suite in the browser harness (WebGL does
 * not exist in Node). Runner-agnostic like `@wavemix/core/testing`: async functions that throw.
 */
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import { dwt2d, idwt2d, waveletPyramid, WaveMixKernelLimitError } from '@wavemix/core';
import { assert, assertClose, assertThrows, randomArray, type ConformanceCase } from '@wavemix/core/testing';
import { WaveMixShaderError } from '../errors';
import { runWaveMixProgram, type WaveMixWebGLProgram } from '../run_program';

function activeBackend(): MathBackendWebGL {
  assert(tf.getBackend() === 'webgl', `expected the webgl backend, got ${tf.getBackend()}`);
  return tf.backend() as MathBackendWebGL;
}

/** A program whose GLSL does not compile, run through the same path as our kernels. */
class BrokenProgram implements WaveMixWebGLProgram {
  variableNames = ['x'];
  outputShape = [1, 1, 1, 4];
  userCode = `void main() { setOutput(undefinedSymbol * 2.0); }`;
}

export function webglKernelCases(): ConformanceCase[] {
  return [
    {
      name: 'webgl: a tensor over WEBGL_MAX_TEXTURE_SIZE throws WaveMixKernelLimitError naming the limit',
      run: async () => {
        activeBackend();
        const x = tf.tensor4d(randomArray(64 * 64 * 8, 5), [1, 64, 64, 8]);
        const bands = tf.tensor4d(randomArray(32 * 32 * 32, 6), [1, 32, 32, 32]);
        const reference = dwt2d(x);
        const before = tf.memory().numTensors;
        const previous = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
        tf.env().set('WEBGL_MAX_TEXTURE_SIZE', 64);
        try {
          const limit = /over the WebGL texture size limit WEBGL_MAX_TEXTURE_SIZE = 64/;
          assertThrows(() => dwt2d(x), limit, WaveMixKernelLimitError, 'dwt2d');
          assertThrows(() => waveletPyramid(x, 3), limit, WaveMixKernelLimitError, 'waveletPyramid');
          assertThrows(() => idwt2d(bands), limit, WaveMixKernelLimitError, 'idwt2d');
        } finally {
          tf.env().set('WEBGL_MAX_TEXTURE_SIZE', previous);
        }
        assert(tf.memory().numTensors === before, `tensors leaked: ${before} -> ${tf.memory().numTensors}`);
        // Under the real limit the same input works and matches what it gave before.
        const again = dwt2d(x);
        assertClose(await again.data(), await reference.data(), { rtol: 0, label: 'dwt2d after restoring the limit' });
        tf.dispose([x, bands, reference, again]);
      },
    },
    {
      name: 'webgl: a GLSL compile failure throws WaveMixShaderError, never returns zeros',
      run: async () => {
        const backend = activeBackend();
        const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 1, 4]);
        const before = tf.memory().numTensors;
        assertThrows(
          () => runWaveMixProgram(backend, 'WaveMixTestBroken', new BrokenProgram(), [x]),
          /^WaveMixTestBroken on webgl: program BrokenProgram failed to compile: /,
          WaveMixShaderError,
          'broken program',
        );
        assert(tf.memory().numTensors === before, 'tensors leaked');
        const small = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
        const y = dwt2d(small);
        assertClose(await y.data(), [5, -2, -1, 0], { rtol: 0, label: 'dwt2d after the failure' });
        tf.dispose([x, small, y]);
      },
    },
  ];
}
