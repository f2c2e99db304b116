/**
 * The Haar transforms as a few TensorFlow ops, for the `tensorflow` backend (@tensorflow/tfjs-node
 * and @tensorflow/tfjs-node-gpu, where each op is one TensorFlow kernel, on CUDA for -gpu).
 *
 * Forward: a 2x2 stride-2 depthwise convolution with 4 outputs per channel is the space-to-depth
 * rearrangement and the fixed 4x4 Haar combination in one op; a gather then reorders its channels
 * (k * 4 + band) into the WaveMix layout. Inverse: the gather's inverse, then the transpose of that
 * convolution (DepthwiseConv2dNativeBackpropInput), which is its inverse because the transform is
 * orthonormal. Every op here exists on every backend, so the same bodies are tested on cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type NamedAttrMap,
} from '@tensorflow/tfjs-core';

type T4 = tf.Tensor4D;

/** Sign of each 2x2 position [row][column] for LL, LH, HL, HH (specification §1 (docs/specification.md)). */
const BAND_SIGNS = [
  [
    [1, 1],
    [1, 1],
  ],
  [
    [1, 1],
    [-1, -1],
  ],
  [
    [1, -1],
    [1, -1],
  ],
  [
    [1, -1],
    [-1, 1],
  ],
] as const;

/** Depthwise filter [2, 2, c, 4]: output channel k * 4 + band is band `band` of input channel k. */
export function haarDepthwiseFilter(channels: number): T4 {
  const values = new Float32Array(2 * 2 * channels * 4);
  for (let row = 0; row < 2; row++)
    for (let col = 0; col < 2; col++)
      for (let k = 0; k < channels; k++)
        for (let band = 0; band < 4; band++)
          values[((row * 2 + col) * channels + k) * 4 + band] = 0.5 * BAND_SIGNS[band]![row]![col]!;
  return tf.tensor4d(values, [2, 2, channels, 4]);
}

/** For each WaveMix-layout channel, the depthwise channel it comes from: LL_k = 4k, then 4k + 1..3. */
export function waveMixFromDepthwise(channels: number): Int32Array {
  const indices = new Int32Array(4 * channels);
  for (let k = 0; k < channels; k++) {
    indices[k] = 4 * k;
    for (let band = 1; band < 4; band++) indices[channels + 3 * k + band - 1] = 4 * k + band;
  }
  return indices;
}

/** The inverse permutation: for each depthwise channel, its WaveMix-layout position. */
export function depthwiseFromWaveMix(channels: number): Int32Array {
  const forward = waveMixFromDepthwise(channels);
  const inverse = new Int32Array(forward.length);
  forward.forEach((source, position) => (inverse[source] = position));
  return inverse;
}

/** `[b, h, w, c] -> [b, ceil(h/2), ceil(w/2), 4c]`; odd edges pair with zeros. */
export function haarForwardOps(x: T4): T4 {
  return tf.tidy(() => {
    const [, h, w, c] = x.shape;
    const even =
      h % 2 === 0 && w % 2 === 0
        ? x
        : tf.pad(x, [
            [0, 0],
            [0, h % 2],
            [0, w % 2],
            [0, 0],
          ]);
    const bands = tf.depthwiseConv2d(even, haarDepthwiseFilter(c), 2, 'valid');
    return tf.gather(bands, tf.tensor1d(waveMixFromDepthwise(c), 'int32'), 3) as T4;
  });
}

/** `[b, h2, w2, 4c] -> [b, outputHeight, outputWidth, c]`, cropping a padded row/column. */
export function haarInverseOps(y: T4, outputHeight: number, outputWidth: number): T4 {
  return tf.tidy(() => {
    const [b, h2, w2, c4] = y.shape;
    const c = c4 / 4;
    const dy = tf.gather(y, tf.tensor1d(depthwiseFromWaveMix(c), 'int32'), 3);
    const attrs: DepthwiseConv2dNativeBackpropInputAttrs = {
      strides: 2,
      dilations: 1,
      pad: 'valid',
      inputShape: [b, 2 * h2, 2 * w2, c],
    };
    const even = tf
      .engine()
      .runKernel(
        DepthwiseConv2dNativeBackpropInput,
        { dy, filter: haarDepthwiseFilter(c) },
        attrs as unknown as NamedAttrMap,
      ) as T4;
    if (outputHeight === 2 * h2 && outputWidth === 2 * w2) return even;
    return tf.slice(even, [0, 0, 0, 0], [-1, outputHeight, outputWidth, -1]);
  });
}

/** `levels` outputs, each the forward transform of the LL channels of the one before. */
export function haarPyramidOps(x: T4, levels: number): T4[] {
  return tf.tidy(() => {
    const c = x.shape[3];
    const outputs: T4[] = [];
    let input = x;
    for (let level = 0; level < levels; level++) {
      const bands = haarForwardOps(input);
      outputs.push(bands);
      input = tf.slice(bands, [0, 0, 0, 0], [-1, -1, -1, c]);
    }
    return outputs;
  });
}
