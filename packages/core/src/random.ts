/**
 * mulberry32: a small, fast, seedable PRNG with uniform output in [0, 1). Used where a stream must
 * be a pure function of its seed: conformance inputs every backend shares, and the per-step
 * Math.random of data-parallel replicas (dropout masks).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
