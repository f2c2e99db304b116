import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '../errors';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { assertFloat32Tensor } from '../shapes';
import { runSeededDropout } from './dispatch';

/** Checks rate and seed before any kernel sees them. */
export function assertSeededDropoutArgs(x: tf.Tensor, rate: number, seed: number): void {
  assertFloat32Tensor(x, 'x');
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
    throw new WaveMixArgumentError('rate', `must be a drop probability in [0, 1), got ${String(rate)}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new WaveMixArgumentError('seed', `must be an integer in [0, 2^32), got ${String(seed)}`);
}

/**
 * Inverted dropout with a mask that is a pure function of `seed` and the element index: element
 * i of `x` is kept and scaled by 1 / (1 - rate), or zeroed, identically on every backend.
 * Differentiable: the gradient applies the same mask to dy, regenerated from the seed, so no mask
 * is kept between the forward and backward pass. `rate` 0 returns a copy of x.
 */
export function seededDropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  assertSeededDropoutArgs(x, rate, seed);
  registerWaveMixGradients();
  if (rate === 0) return tf.clone(x);
  return runSeededDropout(x, rate, seed) as T;
}
