/** Runner-agnostic assertions: plain functions that throw, usable under jest, in a page, anywhere. */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixError } from '../errors';
import { seededRandom } from '../random';

export { seededRandom };

export class ConformanceError extends WaveMixError {}

export interface CloseOptions {
  /** Allowed max |actual - expected| relative to max |expected| (the output's scale). */
  rtol: number;
  label: string;
}

/** Worst absolute error and the scale it is judged against; exported for reports. */
export function maxError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): { error: number; scale: number; index: number } {
  let error = 0;
  let scale = 0;
  let index = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const d = Math.abs(actual[i]! - e);
    if (!(d <= error)) {
      error = d;
      index = i;
    }
    scale = Math.max(scale, Math.abs(e));
  }
  return { error, scale, index };
}

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol, label }: CloseOptions,
): void {
  if (actual.length !== expected.length) {
    throw new ConformanceError(`${label}: ${actual.length} values, expected ${expected.length}`);
  }
  const { error, scale, index } = maxError(actual, expected);
  const allowed = rtol * Math.max(scale, 1e-30);
  if (!(error <= allowed)) {
    throw new ConformanceError(
      `${label}: max error ${error.toExponential(3)} at index ${index} (got ${actual[index]}, expected ${expected[index]}) ` +
        `exceeds ${rtol} x scale ${scale.toExponential(3)}`,
    );
  }
}

export function assertShape(actual: readonly number[], expected: readonly number[], label: string): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new ConformanceError(`${label}: shape [${actual.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

export function assertThrows(
  fn: () => unknown,
  pattern: RegExp,
  errorClass: new (...args: never[]) => Error,
  label: string,
): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof errorClass)) {
      throw new ConformanceError(
        `${label}: threw ${(error as Error)?.name}: ${(error as Error)?.message}, expected ${errorClass.name}`,
      );
    }
    if (!pattern.test((error as Error).message)) {
      throw new ConformanceError(`${label}: message "${(error as Error).message}" does not match ${pattern}`);
    }
    return;
  }
  throw new ConformanceError(`${label}: did not throw`);
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError(message);
}

export function randomArray(size: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = random() * 2 - 1;
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Runs `round` (which disposes what it makes) once to warm up, then 10 times: the tensor count must not change. */
export async function assertNoTensorGrowth(round: () => Promise<void>): Promise<void> {
  await round();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 10; i++) await round();
  const after = tf.memory().numTensors;
  assert(after === before, `tensor count grew from ${before} to ${after} over 10 rounds`);
}
