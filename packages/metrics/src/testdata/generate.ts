// Deterministic test inputs, generated identically by scripts/make_reference.py (same LCG, same
// formulas, exact float64 arithmetic), so the reference numbers in reference.ts apply to them.

/** 32-bit linear congruential generator (Numerical Recipes constants). */
export class Lcg {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (Math.imul(1664525, this.state) + 1013904223) >>> 0;
    return this.state;
  }
  /** A multiple of 2^-24 in [0, 1). */
  uniform(): number {
    return (this.next() >>> 8) / 16777216;
  }
}

export function classificationCase(): {
  logits: Float64Array;
  labels: Int32Array;
  pred: Int32Array;
  n: number;
  c: number;
} {
  const n = 200;
  const c = 7;
  const rng = new Lcg(1);
  const logits = new Float64Array(n * c);
  for (let i = 0; i < n * c; i++) logits[i] = rng.uniform() * 8 - 4;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.next() % c;
  const pred = new Int32Array(n);
  for (let i = 0; i < n; i++) pred[i] = rng.uniform() < 0.6 ? labels[i]! : rng.next() % c;
  return { logits, labels, pred, n, c };
}

/** Six classes; class 4 never occurs (in targets or predictions), class 5 only in targets. */
export function segmentationCase(): {
  pred: Int32Array;
  target: Int32Array;
  shape: [number, number, number];
  c: number;
} {
  const shape: [number, number, number] = [3, 16, 16];
  const size = 3 * 16 * 16;
  const rng = new Lcg(2);
  const target = new Int32Array(size);
  const pred = new Int32Array(size);
  const others = [0, 1, 2, 3];
  for (let i = 0; i < size; i++) {
    let t = rng.next() % 6;
    if (t === 4) t = 3;
    if (rng.uniform() < 0.1) t = 255;
    target[i] = t;
    pred[i] = rng.uniform() < 0.7 && t !== 255 && t !== 5 ? t : others[rng.next() % 4]!;
  }
  return { pred, target, shape, c: 6 };
}

export function calibrationCase(): { logits: Float64Array; labels: Int32Array; n: number; c: number } {
  const n = 300;
  const c = 5;
  const rng = new Lcg(3);
  const logits = new Float64Array(n * c);
  for (let i = 0; i < n * c; i++) logits[i] = rng.uniform() * 6 - 3;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (logits[i * c + k]! > logits[i * c + best]!) best = k;
    labels[i] = rng.uniform() < 0.55 ? best : rng.next() % c;
  }
  return { logits, labels, n, c };
}

/** An image `[h, w, c]` in [0, 1] and a noisy copy of it. */
export function imagePair(
  seed: number,
  h: number,
  w: number,
  c: number,
  noise: number,
): { a: Float64Array; b: Float64Array } {
  const rng = new Lcg(seed);
  const a = new Float64Array(h * w * c);
  const b = new Float64Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        const i = (y * w + x) * c + k;
        a[i] = (((x * x + 3 * y + 5 * k) % 37) / 37) * 0.7 + 0.3 * rng.uniform();
      }
    }
  }
  for (let i = 0; i < a.length; i++) b[i] = Math.min(1, Math.max(0, a[i]! + noise * (rng.uniform() - 0.5)));
  return { a, b };
}
