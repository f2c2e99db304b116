// The test images of scripts/make_trivial_augment_reference.py (same LCG and formula).
export function lcgImage(seed: number, h: number, w: number, c: number): Uint8Array {
  let state = seed >>> 0;
  const out = new Uint8Array(h * w * c);
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    const pixel = Math.floor(i / c);
    const y = Math.floor(pixel / w);
    const x = pixel % w;
    const base = (x * 19 + y * 11 + (i % c) * 40) % 200;
    out[i] = Math.min(255, base + ((state >>> 24) % 56));
  }
  return out;
}
