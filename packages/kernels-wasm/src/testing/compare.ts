import * as tf from '@tensorflow/tfjs-core';

export type Values = Float32Array | Int32Array | Uint8Array;

/** Runs `f` on a backend and downloads every output (then disposes them). */
export async function runOn(backend: string, f: () => tf.Tensor | tf.Tensor[]): Promise<Values[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = await Promise.all(list.map((t) => t.data() as Promise<Values>));
  tf.dispose(list);
  return values;
}

/**
 * Asserts |actual - expected| <= atol + rtol * max|expected| element-wise (NaN must match NaN and
 * infinities must match exactly) and returns the largest difference seen.
 */
export function expectClose(actual: Values, expected: Values, rtol = 1e-5, atol = 1e-6): number {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (const v of expected) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const tolerance = atol + rtol * scale;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e)))
        throw new Error(`element ${i}: expected ${e}, got ${a}`);
      continue;
    }
    const d = Math.abs(a - e);
    if (!(d <= tolerance)) throw new Error(`element ${i}: expected ${e}, got ${a} (|diff| ${d} > ${tolerance})`);
    worst = Math.max(worst, d);
  }
  return worst;
}

/** Deterministic pseudo-random values in [-1, 1) (a fixed LCG, so both backends get the same data). */
export function randomValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
