// WebGL itself only runs in the browser (tools/browser-harness); these checks need no GL context.
import * as tf from '@tensorflow/tfjs-core';
import { webgl_util } from '@tensorflow/tfjs-backend-webgl';
import { WaveMixKernelLimitError } from '@wavemix/core';
import { dwt2DConfig, idwt2DConfig, textureShape, waveletPyramidConfig } from './base';

afterEach(() => tf.env().reset());

test('our texture layout rule agrees with tfjs-backend-webgl for every kind of shape', () => {
  const shapes = [
    [1],
    [7],
    [3, 5],
    [2, 3, 4],
    [1, 1, 1, 1],
    [2, 9, 4, 8],
    [32, 32, 32, 256],
    [8, 56, 56, 192],
    [1, 5000, 3, 1],
    [40000, 1, 1, 2],
    [2, 16385, 1, 1],
  ];
  for (const maxTextureSize of [16384, 4096, 64]) {
    for (const narrow of [Infinity, 1024]) {
      for (const squarify of [false, true]) {
        tf.env().set('WEBGL_MAX_TEXTURE_SIZE', maxTextureSize);
        tf.env().set('WEBGL_MAX_SIZE_FOR_NARROW_TEXTURE', narrow);
        tf.env().set('WEBGL_AUTO_SQUARIFY_NARROW_TEXTURE_SHAPE', squarify);
        for (const shape of shapes) {
          for (const packed of [false, true]) {
            expect([maxTextureSize, narrow, squarify, shape, packed, textureShape(shape, packed)]).toEqual([
              maxTextureSize,
              narrow,
              squarify,
              shape,
              packed,
              webgl_util.getTextureShapeFromLogicalShape(shape, packed),
            ]);
          }
        }
      }
    }
  }
});

test('each kernel refuses a tensor over WEBGL_MAX_TEXTURE_SIZE with WaveMixKernelLimitError, before touching the GPU', () => {
  tf.env().set('WEBGL_MAX_TEXTURE_SIZE', 64);
  tf.env().set('WEBGL_MAX_SIZE_FOR_NARROW_TEXTURE', Infinity);
  tf.env().set('WEBGL_AUTO_SQUARIFY_NARROW_TEXTURE_SHAPE', false);
  const backend = {} as never; // the check runs first; any use of the backend would throw here
  const x = { dataId: {}, shape: [1, 64, 64, 8], dtype: 'float32' as const };
  // The forward reads packed textures: [1, 64, 64, 8] holds 64 x 32 x 4 = 8192 texels, which no
  // arrangement fits in 64 x 64 texels, so tfjs squarifies to 91x91 texels.
  expect(() => dwt2DConfig.kernelFunc({ inputs: { x }, backend, attrs: {} })).toThrow(WaveMixKernelLimitError);
  expect(() => dwt2DConfig.kernelFunc({ inputs: { x }, backend, attrs: {} })).toThrow(
    'WaveMixDwt2D on webgl: input x of shape [1, 64, 64, 8] needs a 91x91 packed texture, over the WebGL texture size limit WEBGL_MAX_TEXTURE_SIZE = 64',
  );
  expect(() => waveletPyramidConfig.kernelFunc({ inputs: { x }, backend, attrs: { levels: 2 } })).toThrow(
    /^WaveMixWaveletPyramid on webgl: .*WEBGL_MAX_TEXTURE_SIZE = 64/,
  );
  const y = { dataId: {}, shape: [1, 32, 32, 32], dtype: 'float32' as const };
  expect(() =>
    idwt2DConfig.kernelFunc({ inputs: { y }, backend, attrs: { outputHeight: 64, outputWidth: 64 } }),
  ).toThrow(
    // [1, 32, 32, 32] packed: 32 x 16 x 16 = 8192 texels again, squarified to 91x91.
    /^WaveMixIdwt2D on webgl: input y of shape \[1, 32, 32, 32\] needs a 91x91 packed texture/,
  );
  // A small input passes the check and reaches the backend (here: the empty stand-in).
  const small = { dataId: {}, shape: [1, 4, 4, 1], dtype: 'float32' as const };
  expect(() => dwt2DConfig.kernelFunc({ inputs: { x: small }, backend, attrs: {} })).toThrow(TypeError);
});
