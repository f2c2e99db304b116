/**
 * The counter-based mask of SeededDropout, shared by the kernels (cpu here, wasm in C, the same
 * arithmetic) and the host-side fallback: a pure function of (seed, element index), so every
 * backend draws the same mask and a gradient can regenerate it from the seed.
 */

/** murmur3's 32-bit finaliser: a bijection on uint32 with full avalanche. */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The seed as the kernels use it (mixed once per call). */
export const dropoutSeedKey = (seed: number): number => fmix32(seed);

/** Uniform uint32 for element `index`: fmix32(index * golden ratio ^ fmix32(seed)). */
export function dropoutHash(seedKey: number, index: number): number {
  return fmix32(Math.imul(index, 0x9e3779b9) ^ seedKey);
}

/** Elements whose hash is below this uint32 are dropped: floor(rate * 2^32). */
export const dropoutThreshold = (rate: number): number => Math.min(4294967295, Math.floor(rate * 4294967296));

/** The float32 scale of the kept elements, 1 / (1 - rate). */
export const dropoutScale = (rate: number): number => Math.fround(1 / (1 - rate));

/** out[i] = x[i] * scale where kept, else x[i] * 0 (out may be x). */
export function seededDropoutImpl(x: ArrayLike<number>, rate: number, seed: number, out: Float32Array): void {
  const key = dropoutSeedKey(seed);
  const threshold = dropoutThreshold(rate);
  const scale = dropoutScale(rate);
  // x * 0 (not a literal 0) where dropped: NaN and infinities propagate, as in PyTorch.
  for (let i = 0; i < out.length; i++) out[i] = x[i]! * (dropoutHash(key, i) >= threshold ? scale : 0);
}
