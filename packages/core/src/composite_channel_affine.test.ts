import * as tf from '@tensorflow/tfjs';
import { channelAffine, channelAffineComposite, WaveMixArgumentError } from './index';
import { assertThrows } from './testing/assert';

/**
 * ChannelAffine where the backend has no kernel (cpu here): values by hand, the written-out
 * gradient against tfjs autodiff of the plain ops, and the argument errors.
 */
beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('by hand: x * scale + shift per channel, plus the residual', async () => {
  const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 3, 2]);
  const scale = tf.tensor1d([2, -1]);
  const shift = tf.tensor1d([0.5, 10]);
  expect(Array.from(await channelAffine(x, scale, shift).data())).toEqual([2.5, 8, 6.5, 6, 10.5, 4]);
  const residual = tf.tensor3d([1, 1, 1, 1, 1, 1], [1, 3, 2]);
  expect(Array.from(await channelAffine(x, scale, shift, residual).data())).toEqual([3.5, 9, 7.5, 7, 11.5, 5]);
});

test('gradients in x, scale, shift and the residual equal autodiff of the plain ops; no tensor growth', async () => {
  const x = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 1);
  const scale = tf.randomNormal([5], 1, 0.5, 'float32', 2);
  const shift = tf.randomNormal([5], 0, 1, 'float32', 3);
  const residual = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 4);
  const dy = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 5);
  const plain = (a: tf.Tensor, s: tf.Tensor, b: tf.Tensor, r: tf.Tensor) => tf.add(tf.add(tf.mul(a, s), b), r);
  const round = () => {
    const ours = tf.grads((a, s, b, r) => channelAffine(a!, s!, b!, r))([x, scale, shift, residual], dy);
    const reference = tf.grads((a, s, b, r) => plain(a!, s!, b!, r!))([x, scale, shift, residual], dy);
    return [ours, reference] as const;
  };
  const [ours, reference] = round();
  for (let i = 0; i < 4; i++) {
    const [a, b] = [await ours[i]!.data(), await reference[i]!.data()];
    expect(ours[i]!.shape).toEqual(reference[i]!.shape);
    a.forEach((v, j) => expect(v).toBeCloseTo(b[j]!, 5));
  }
  tf.dispose([...ours, ...reference]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) tf.dispose(round().flat());
  expect(tf.memory().numTensors).toBe(before);
  // The composite without a residual: no gradient for one.
  const withoutResidual = tf.grads((a) =>
    channelAffineComposite({ x: a!, scale: scale as tf.Tensor1D, shift: shift as tf.Tensor1D }),
  )([x], dy);
  expect(Array.from(await withoutResidual[0]!.data())).toEqual(Array.from(await tf.mul(dy, scale).data()));
});

test('bad arguments get a WaveMixArgumentError naming them', () => {
  const x = tf.zeros([2, 3, 4]);
  const ok = tf.ones([4]);
  const cases: Array<[() => unknown, string, RegExp]> = [
    [() => channelAffine(tf.scalar(1), tf.ones([1]), tf.ones([1])), 'x', /scalar/],
    [() => channelAffine(tf.zeros([2, 4], 'int32'), ok, ok), 'x', /float32/],
    [() => channelAffine(x, tf.ones([3]), ok), 'scale', /\[4\]/],
    [() => channelAffine(x, ok, tf.ones([1, 4])), 'shift', /\[4\]/],
    [() => channelAffine(x, ok, ok, tf.zeros([2, 3, 5])), 'residual', /\[2, 3, 4\]/],
    [() => channelAffine(null as never, ok, ok), 'x', /tf.Tensor/],
  ];
  for (const [call, argument, message] of cases) {
    assertThrows(call, new RegExp(`^${argument}: .*${message.source}`), WaveMixArgumentError, argument);
  }
});
