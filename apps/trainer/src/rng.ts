/**
 * A seeded, checkpointable replacement for Math.random. tfjs draws the seed of every unseeded
 * random op (weight initialisers, dropout masks) from Math.random, so seeding it makes a whole
 * run reproducible from `--seed`, and saving its state makes a resumed run continue the same stream.
 * The generator is the datasets pipeline's xoshiro128**.
 */
import { Rng } from '@wavemix/datasets';

/** The generator's four 32-bit words. */
export type RngState = [number, number, number, number];

let installed: { rng: Rng; original: () => number } | null = null;

/** Replaces Math.random with a seeded stream (or a saved state) until `restoreMathRandom()`. */
export function installSeededMathRandom(seedOrState: number | RngState): Rng {
  const rng = typeof seedOrState === 'number' ? new Rng(seedOrState) : Rng.fromState(seedOrState);
  const original = installed?.original ?? Math.random;
  Math.random = () => rng.uniform();
  installed = { rng, original };
  return rng;
}

export function restoreMathRandom(): void {
  if (installed) Math.random = installed.original;
  installed = null;
}
