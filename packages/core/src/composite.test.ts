// tfjs-core alone registers no gradients in Node; the composite's explicit gradients must not
// need any, so this file deliberately loads only tfjs-core and the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { dwt2d, idwt2d, waveletPyramid } from './index';
import { pyramidShapes } from './shapes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('no tfjs gradients are registered in this context', () => {
  expect(tf.getGradient('Slice')).toBeUndefined();
  expect(tf.getGradient('Multiply')).toBeUndefined();
});

test('dwt2d gradient is the cropped inverse without registered tfjs gradients', () => {
  const x = tf.randomNormal([1, 5, 7, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
  const dy = tf.randomNormal([1, 3, 4, 8], 0, 1, 'float32', 2) as tf.Tensor4D;
  const grad = tf.grad((input: tf.Tensor) => dwt2d(input))(x, dy);
  const expected = idwt2d(dy, [5, 7]);
  expect(grad.shape).toEqual([1, 5, 7, 2]);
  expect(Array.from(grad.dataSync())).toEqual(Array.from(expected.dataSync()));
  tf.dispose([x, dy, grad, expected]);
});

test('idwt2d gradient is the zero-padded forward transform', () => {
  const y = tf.randomNormal([2, 3, 4, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
  const g = tf.randomNormal([2, 6, 7, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
  const grad = tf.grad((input: tf.Tensor) => idwt2d(input, [6, 7]))(y, g);
  const expected = dwt2d(g);
  expect(Array.from(grad.dataSync())).toEqual(Array.from(expected.dataSync()));
  tf.dispose([y, g, grad, expected]);
});

test('pyramid gradient through the coarsest output alone flows down every level', () => {
  // d/dx <X_3, w> = D1^T(LL part of D2^T(LL part of D3^T w)), computed here by hand from idwt2d.
  const x = tf.randomNormal([1, 16, 12, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const shapes = pyramidShapes([1, 16, 12, 1], 3);
  const w = tf.randomNormal(shapes[2]!, 0, 1, 'float32', 6) as tf.Tensor4D;
  const grad = tf.grad((input: tf.Tensor) => waveletPyramid(input, 3)[2]!)(x, w);
  const zerosHigh = (t: tf.Tensor4D) => tf.concat([t, tf.zeros([t.shape[0], t.shape[1], t.shape[2], 3])], 3);
  const level2 = idwt2d(w, [4, 3]);
  const level1 = idwt2d(zerosHigh(level2), [8, 6]);
  const expected = idwt2d(zerosHigh(level1), [16, 12]);
  const got = grad.dataSync();
  const want = expected.dataSync();
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
});
