/**
 * A seeded, checkpointable replacement for Math.random. tfjs draws the seed of every unseeded
 * random op (weight initialisers, dropout masks) from Math.random, so seeding it makes a whole
 * run reproducible from `--seed`, and saving its state makes a resumed run continue the same stream.
 */

/** sfc32 state: four 32-bit words. */
export type RngState = [number, number, number, number];

export class SeededRandom {
  private s: Uint32Array;

  constructor(seedOrState: number | RngState) {
    if (typeof seedOrState === 'number') {
      // splitmix32 expands the seed into the four words, then a few rounds decorrelate them.
      let x = seedOrState >>> 0;
      const next = () => {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        return (z ^ (z >>> 16)) >>> 0;
      };
      this.s = new Uint32Array([next(), next(), next(), next()]);
      for (let i = 0; i < 12; i++) this.nextUint32();
    } else {
      this.s = new Uint32Array(seedOrState);
    }
  }

  nextUint32(): number {
    const s = this.s;
    const t = (((s[0]! + s[1]!) >>> 0) + s[3]!) >>> 0;
    s[3] = (s[3]! + 1) >>> 0;
    s[0] = s[1]! ^ (s[1]! >>> 9);
    s[1] = (s[2]! + (s[2]! << 3)) >>> 0;
    s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) >>> 0;
    s[2] = (s[2]! + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 32 bits of randomness, like Math.random. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  getState(): RngState {
    return [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!];
  }
}

let installed: { rng: SeededRandom; original: () => number } | null = null;

/** Replaces Math.random with a seeded stream (or a saved state) until `restoreMathRandom()`. */
export function installSeededMathRandom(seedOrState: number | RngState): SeededRandom {
  const rng = new SeededRandom(seedOrState);
  const original = installed?.original ?? Math.random;
  Math.random = () => rng.next();
  installed = { rng, original };
  return rng;
}

export function restoreMathRandom(): void {
  if (installed) Math.random = installed.original;
  installed = null;
}
