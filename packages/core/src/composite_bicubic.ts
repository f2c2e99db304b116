/**
 * Bicubic x2 upsampling from plain rank-4 tfjs ops (any backend), with an explicit transposed
 * composite as its gradient so no registered tfjs gradient is needed. Separable: along W (axis 2),
 * then along H (axis 1); see impl/bicubic.ts for the filters.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BICUBIC_EVEN_WEIGHTS, BICUBIC_ODD_WEIGHTS } from './impl/bicubic';
import { recordWithGradient } from './composite';

type T4 = tf.Tensor4D;
type Axis = 1 | 2;

function sliceAxis(x: T4, axis: Axis, begin: number, size: number): T4 {
  const start = [0, 0, 0, 0];
  const sizes = [-1, -1, -1, -1];
  start[axis] = begin;
  sizes[axis] = size;
  return tf.slice(x, start, sizes);
}

function padAxis(x: T4, axis: Axis, before: number, after: number): T4 {
  const paddings: Array<[number, number]> = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  paddings[axis] = [before, after];
  return tf.pad(x, paddings);
}

/**
 * `tf.addN` in groups of at most 4: WebGPU's AddN binds every input as a storage buffer, and
 * devices may allow only 8 per shader stage (inputs + output), past which tfjs-backend-webgpu
 * 4.22 returns garbage instead of an error.
 */
function addMany(terms: T4[]): T4 {
  let sums = terms;
  while (sums.length > 1) {
    const next: T4[] = [];
    for (let i = 0; i < sums.length; i += 4) {
      const group = sums.slice(i, i + 4);
      next.push(group.length === 1 ? group[0]! : (tf.addN(group) as T4));
    }
    sums = next;
  }
  return sums[0]!;
}

/** Upsamples one axis by 2: edge-replicate 2 samples each side, two 4-tap filters, interleave. */
function upsampleAxis(x: T4, axis: Axis): T4 {
  const n = x.shape[axis];
  const first = sliceAxis(x, axis, 0, 1);
  const last = sliceAxis(x, axis, n - 1, 1);
  const padded = tf.concat([first, first, x, last, last], axis);
  const filter = (weights: readonly number[], offset: number) =>
    tf.addN(weights.map((weight, k) => tf.mul(sliceAxis(padded, axis, offset + k, n), weight)));
  const even = filter(BICUBIC_EVEN_WEIGHTS, 0);
  const odd = filter(BICUBIC_ODD_WEIGHTS, 1);
  const [b, h, w, c] = x.shape;
  // Interleave even/odd along `axis` by concatenating on the next axis and merging the two.
  return axis === 2
    ? tf.reshape(tf.concat([even, odd], 3), [b, h, 2 * w, c])
    : tf.reshape(tf.concat([even, odd], 2), [b, 2 * h, w, c]);
}

/** Adjoint of `upsampleAxis`: de-interleave, scatter the taps back, fold the replicated edges. */
function upsampleAxisTranspose(dy: T4, axis: Axis): T4 {
  const [b, h, w, c] = dy.shape;
  const n = dy.shape[axis] / 2;
  const pairs = axis === 2 ? tf.reshape(dy, [b, h, n, 2 * c]) : tf.reshape(dy, [b, n, 2 * w, c]);
  const pairAxis = axis === 2 ? 3 : 2;
  const half = axis === 2 ? c : w;
  const slicePair = (index: number) => {
    const start = [0, 0, 0, 0];
    const sizes = [-1, -1, -1, -1];
    start[pairAxis] = index * half;
    sizes[pairAxis] = half;
    return tf.slice(pairs, start, sizes) as T4;
  };
  const even = slicePair(0);
  const odd = slicePair(1);
  const terms: T4[] = [];
  BICUBIC_EVEN_WEIGHTS.forEach((weight, k) => terms.push(padAxis(tf.mul(even, weight), axis, k, 4 - k)));
  BICUBIC_ODD_WEIGHTS.forEach((weight, k) => terms.push(padAxis(tf.mul(odd, weight), axis, k + 1, 3 - k)));
  const dPadded = addMany(terms); // n + 4 samples along axis
  const sumOf = (begin: number) => tf.sum(sliceAxis(dPadded, axis, begin, 2), axis, true) as T4;
  const core = sliceAxis(dPadded, axis, 2, n);
  if (n === 1) return tf.addN([core, sumOf(0), sumOf(n + 2)]) as T4;
  return tf.addN([core, padAxis(sumOf(0), axis, 0, n - 1), padAxis(sumOf(n + 2), axis, n - 1, 0)]) as T4;
}

export function bicubicUpsample2xCompositeRaw(x: T4): T4 {
  return tf.tidy(() => upsampleAxis(upsampleAxis(x, 2), 1));
}

export function bicubicUpsample2xGradCompositeRaw(dy: T4): T4 {
  return tf.tidy(() => upsampleAxisTranspose(upsampleAxisTranspose(dy, 1), 2));
}

/** Composite `bicubicUpsample2x` with its explicit adjoint as gradient. */
export function bicubicUpsample2xComposite(x: T4): T4 {
  return recordWithGradient(
    x,
    () => bicubicUpsample2xCompositeRaw(x),
    ([dy]) => bicubicUpsample2xGradCompositeRaw(dy!),
  );
}
