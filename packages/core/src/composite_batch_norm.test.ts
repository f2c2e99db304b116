import * as tf from '@tensorflow/tfjs';
import {
  batchNormTraining,
  batchNormTrainingComposite,
  batchNormTrainingGradCompositeRaw,
  WaveMixArgumentError,
} from './index';
import { assertThrows } from './testing/assert';

/**
 * The BatchNormTraining op where the backend has no kernel (cpu here): values by hand, its
 * closed-form gradient (the one the kernels' GradConfig runs where only the forward kernel
 * exists) against tfjs autodiff of tf.moments + tf.batchNorm, and the argument errors.
 */
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const maxAbsDiff = async (a: tf.Tensor, b: tf.Tensor) => {
  const [x, y] = [await a.data(), await b.data()];
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return worst;
};

test('by hand: batch mean, biased variance, normalised output', async () => {
  // Channel 0: 1, 3, 5, 7 (mean 4, variance 5); channel 1: 10, 10, 10, 14 (mean 11, variance 3).
  const x = tf.tensor3d([1, 10, 3, 10, 5, 10, 7, 14], [2, 2, 2]);
  const { y, mean, variance } = batchNormTraining(x, tf.tensor1d([2, 1]), tf.tensor1d([0, -1]), 1e-5);
  expect(Array.from(await mean.data())).toEqual([4, 11]);
  expect(Array.from(await variance.data())).toEqual([5, 3]);
  const r0 = 2 / Math.sqrt(5 + 1e-5);
  const r1 = 1 / Math.sqrt(3 + 1e-5);
  const want = [-3 * r0, -r1 - 1, -r0, -r1 - 1, r0, -r1 - 1, 3 * r0, 3 * r1 - 1];
  const got = await y.data();
  want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
});

test('the closed-form gradient equals autodiff of the composite, upstream mean and variance gradients included', async () => {
  for (const shape of [
    [3, 4, 5, 6],
    [9, 2],
  ]) {
    const channels = shape[shape.length - 1]!;
    const x = tf.add(tf.randomNormal(shape, 0, 0.7, 'float32', 1), 2);
    const scale = tf.randomNormal([channels], 1, 0.3, 'float32', 2) as tf.Tensor1D;
    const offset = tf.randomNormal([channels], 0, 1, 'float32', 3) as tf.Tensor1D;
    const dy = tf.randomNormal(shape, 0, 1, 'float32', 4);
    const dMean = tf.randomNormal([channels], 0, 1, 'float32', 5) as tf.Tensor1D;
    const dVariance = tf.randomNormal([channels], 0, 1, 'float32', 6) as tf.Tensor1D;
    const loss = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const out = batchNormTrainingComposite(a, s as tf.Tensor1D, o as tf.Tensor1D, 1e-3);
      return tf.addN([
        tf.sum(tf.mul(out.y, dy)),
        tf.sum(tf.mul(out.mean, dMean)),
        tf.sum(tf.mul(out.variance, dVariance)),
      ]) as tf.Scalar;
    };
    const expected = tf.grads(loss)([x, scale, offset]);
    const { mean, variance } = batchNormTrainingComposite(x, scale, offset, 1e-3);
    const actual = batchNormTrainingGradCompositeRaw({ dy, x, mean, variance, scale, dMean, dVariance }, 1e-3);
    for (let i = 0; i < 3; i++) {
      const size = Math.max(...Array.from(await tf.abs(expected[i]!).data()));
      expect(await maxAbsDiff(actual[i]!, expected[i]!)).toBeLessThan(1e-5 * size);
    }
  }
});

test('bad arguments get a WaveMixArgumentError naming them', () => {
  const x = tf.zeros([2, 3, 4]);
  const ok = tf.ones([4]);
  const cases: Array<[() => unknown, string, RegExp]> = [
    [() => batchNormTraining(tf.zeros([4]), ok, ok, 1e-5), 'x', /rank >= 2/],
    [() => batchNormTraining(tf.zeros([0, 4]), ok, ok, 1e-5), 'x', /no elements/],
    [() => batchNormTraining(tf.zeros([2, 4], 'int32'), ok, ok, 1e-5), 'x', /float32/],
    [() => batchNormTraining(x, tf.ones([3]), ok, 1e-5), 'scale', /\[4\]/],
    [() => batchNormTraining(x, ok, tf.ones([1, 4]), 1e-5), 'offset', /\[4\]/],
    [() => batchNormTraining(x, ok, ok, 0), 'epsilon', /positive/],
    [() => batchNormTraining(x, ok, ok, Number.NaN), 'epsilon', /positive/],
    [() => batchNormTraining(null as never, ok, ok, 1e-5), 'x', /tf.Tensor/],
  ];
  for (const [call, argument, message] of cases) {
    assertThrows(call, new RegExp(`^${argument}: .*${message.source}`), WaveMixArgumentError, argument);
  }
});
