import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { WaveMixArgumentError } from '@wavemix/core';
import { Upsample2x, bilinearUpsample2x, nearestUpsample2x } from './upsample2x_layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Two 1-channel 2x2 images (NCHW [[1, 2], [3, 4]] and [[5, -1], [0.5, 2]]); y and d/dx sum(y * w),
// w = arange(32) in NCHW order, computed once with torch 1.13 F.interpolate(scale_factor=2).
const X = tf.tensor4d([1, 2, 3, 4, 5, -1, 0.5, 2], [2, 2, 2, 1]);
const W = tf.range(0, 32).reshape([2, 4, 4, 1]);
const TORCH = {
  nearest: {
    y: [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4, 5, 5, -1, -1, 5, 5, -1, -1, 0.5, 0.5, 2, 2, 0.5, 0.5, 2, 2],
    grad: [10, 18, 42, 50, 74, 82, 106, 114],
  },
  bilinear: {
    y: [
      1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4, 5, 3.5, 0.5, -1, 3.875, 2.84375,
      0.78125, -0.25, 1.625, 1.53125, 1.34375, 1.25, 0.5, 0.875, 1.625, 2,
    ],
    grad: [12.5, 19.5, 40.5, 47.5, 76.5, 83.5, 104.5, 111.5],
  },
};

describe.each([
  ['nearest', nearestUpsample2x],
  ['bilinear', bilinearUpsample2x],
] as const)('%s x2', (mode, op) => {
  it('equals torch F.interpolate, values and gradient (second image included)', () => {
    const y = op(X);
    expect(y.shape).toEqual([2, 4, 4, 1]);
    const values = y.dataSync();
    TORCH[mode].y.forEach((v, i) => expect([i, values[i]]).toEqual([i, expect.closeTo(v, 6)]));
    const grad = tf
      .grad((x: tf.Tensor) => tf.sum(tf.mul(op(x as tf.Tensor4D), W)))(X)
      .dataSync();
    TORCH[mode].grad.forEach((v, i) => expect([i, grad[i]]).toEqual([i, expect.closeTo(v, 5)]));
    y.dispose();
  });

  it('is a serialisable layer that leaks nothing', () => {
    const layer = new Upsample2x({ name: `up_${mode}`, mode });
    expect(layer.getConfig()).toMatchObject({ mode, name: `up_${mode}` });
    expect(layer.computeOutputShape([null, 7, null, 3])).toEqual([null, 14, null, 3]);
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap['WaveMixUpsample2x']!;
    expect(cls).toBe(Upsample2x);
    const copy = fromConfig(cls, layer.getConfig()) as Upsample2x;
    expect(copy.mode).toBe(mode);
    tf.dispose(layer.apply(X) as tf.Tensor);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(tf.grad((x: tf.Tensor) => tf.sum(layer.apply(x) as tf.Tensor))(X));
    expect(tf.memory().numTensors).toBe(before);
  });
});

it('refuses an unknown mode', () => {
  expect(() => new Upsample2x({ mode: 'bicubic' as never })).toThrow(WaveMixArgumentError);
  expect(() => new Upsample2x({ mode: 'bicubic' as never })).toThrow(
    /mode: must be one of nearest, bilinear, got "bicubic"/,
  );
});
