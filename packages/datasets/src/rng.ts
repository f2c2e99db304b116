import { fmix32 } from '@wavemix/core';
import { DatasetArgumentError } from './errors';

// Counter-based randomness: every random decision of the pipeline is drawn from a generator
// keyed by (seed, epoch, position, stream), so (seed, epoch, position) is the whole RNG state,
// batches do not depend on prefetch depth or worker timing, and a resumed run continues exactly.

/** Hashes any number of 32-bit words (each taken modulo 2^32) into one. */
export function hashWords(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) {
    h = fmix32((h ^ fmix32((word >>> 0) + 0x7f4a7c15)) + 0x165667b1);
  }
  return h;
}

/** xoshiro128** seeded through splitmix32, producing 32-bit words. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** The generator's whole state (four 32-bit words), e.g. for a checkpoint. */
  state(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** A generator that continues exactly where the one that gave `state` stood. */
  static fromState(state: readonly [number, number, number, number]): Rng {
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.map((word) => word | 0) as [number, number, number, number];
    if ((rng.s0 | rng.s1 | rng.s2 | rng.s3) === 0)
      throw new DatasetArgumentError('state', 'an all-zero xoshiro128** state is invalid');
    return rng;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (n <= 1) return 0;
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Stream identifiers keep the pipeline's independent random decisions apart. */
export const STREAM = {
  shuffle: 1,
  augment: 2,
  read: 3,
  split: 4,
  sample: 5,
} as const;
