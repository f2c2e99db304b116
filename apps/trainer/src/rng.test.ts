import * as tf from '@tensorflow/tfjs';
import { installSeededMathRandom, restoreMathRandom } from './rng';

afterEach(() => restoreMathRandom());

test('the same seed gives the same Math.random stream, and a saved state continues it', () => {
  const draw = (n: number) => Array.from({ length: n }, () => Math.random());
  installSeededMathRandom(42);
  const first = draw(5);
  installSeededMathRandom(42);
  expect(draw(5)).toEqual(first);
  const state = installSeededMathRandom(42).state();
  draw(3);
  const expected = draw(4);
  installSeededMathRandom(state);
  draw(3);
  expect(draw(4)).toEqual(expected);
  installSeededMathRandom(43);
  expect(Math.random()).not.toBe(first[0]);
  for (const value of first) expect(value >= 0 && value < 1).toBe(true);
});

test('seeding Math.random makes unseeded tfjs random ops (initialisers, dropout) reproducible', async () => {
  await tf.setBackend('cpu');
  installSeededMathRandom(7);
  const first = tf.randomUniform([8]).dataSync();
  installSeededMathRandom(7);
  const second = tf.randomUniform([8]).dataSync();
  expect(Array.from(second)).toEqual(Array.from(first));
  const original = Math.random;
  restoreMathRandom();
  expect(Math.random).not.toBe(original);
});
