import * as tf from '@tensorflow/tfjs';
import { installSeededMathRandom, restoreMathRandom, SeededRandom } from './rng';

afterEach(() => restoreMathRandom());

test('the same seed gives the same stream, and a saved state continues it', () => {
  const a = new SeededRandom(42);
  const b = new SeededRandom(42);
  const first = Array.from({ length: 5 }, () => a.next());
  expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
  const state = a.getState();
  const continued = new SeededRandom(state);
  expect(Array.from({ length: 5 }, () => continued.next())).toEqual(Array.from({ length: 5 }, () => a.next()));
  expect(new SeededRandom(43).next()).not.toBe(first[0]);
  for (const value of first) expect(value >= 0 && value < 1).toBe(true);
});

test('seeding Math.random makes unseeded tfjs random ops (initialisers, dropout) reproducible', async () => {
  await tf.setBackend('cpu');
  installSeededMathRandom(7);
  const first = tf.randomUniform([8]).dataSync();
  installSeededMathRandom(7);
  const second = tf.randomUniform([8]).dataSync();
  expect(Array.from(second)).toEqual(Array.from(first));
  restoreMathRandom();
  expect(Math.random).not.toBe(undefined);
});
