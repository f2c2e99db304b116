import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { ChannelAffine, channelAffine } from '@wavemix/core';
import '../index';
import { expectClose, randomValues, runOn, sizeOf } from '../testing/compare';

/**
 * The wasm ChannelAffine kernel against the cpu backend's composite: with and without the
 * residual, channels a multiple of 4, with a tail, and one; the gradients (core's GradConfig on
 * wasm, autodiff of the composite on cpu).
 */
const t = (shape: number[], seed: number) => tf.tensor(randomValues(sizeOf(shape), seed), shape);

function valuesAndGradients(shape: number[], withResidual: boolean): tf.Tensor[] {
  const channels = shape[shape.length - 1]!;
  const [x, scale, shift, residual, dy] = [t(shape, 1), t([channels], 2), t([channels], 3), t(shape, 4), t(shape, 5)];
  if (!withResidual) {
    return [channelAffine(x, scale, shift), ...tf.grads((a, s, b) => channelAffine(a!, s!, b!))([x, scale, shift], dy)];
  }
  return [
    channelAffine(x, scale, shift, residual),
    ...tf.grads((a, s, b, r) => channelAffine(a!, s!, b!, r!))([x, scale, shift, residual], dy),
  ];
}

test.each([
  [[2, 5, 7, 64], true],
  [[2, 5, 7, 64], false],
  [[3, 4, 6], true],
  [[9, 1], true],
] as const)('%j, residual %s: output and gradients equal the cpu composite', async (shape, withResidual) => {
  const expected = await runOn('cpu', () => valuesAndGradients([...shape], withResidual));
  await tf.setBackend('wasm');
  expect(tf.getKernel(ChannelAffine, 'wasm')).toBeDefined();
  const actual = await runOn('wasm', () => valuesAndGradients([...shape], withResidual));
  expect(actual).toHaveLength(expected.length);
  actual.forEach((values, i) => expectClose(values, expected[i]!, 1e-6, 1e-6));
});

test('no tensor growth across repeated calls', async () => {
  await tf.setBackend('wasm');
  const [x, scale, shift] = [t([2, 3, 3, 8], 6), t([8], 7), t([8], 8)];
  channelAffine(x, scale, shift, x).dispose();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 4; i++) channelAffine(x, scale, shift, x).dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([x, scale, shift]);
});
