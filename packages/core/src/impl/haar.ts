/**
 * Typed-array Haar transforms shared by the CPU kernels and the WebAssembly kernels (which run
 * them on views of the wasm heap). NHWC, float32, WaveMix layout: for each pixel the c LL values,
 * then LH, HL, HH interleaved per channel. Zero mode: a missing odd row/column reads as 0.
 *
 * Block [[a, b], [cc, d]] (rows = H): LL = (a+b+cc+d)/2, LH = (a+b-cc-d)/2, HL = (a-b+cc-d)/2,
 * HH = (a-b-cc+d)/2.
 */

export type Shape4 = readonly [number, number, number, number];

/**
 * One forward level. `src` holds b*h*w pixels of `srcPixelStride` floats, of which the first `c`
 * are transformed (a pyramid level reads the LL channels of the previous level in place). `dst`
 * receives b*ceil(h/2)*ceil(w/2)*4c floats.
 */
export function haarForward(
  src: Float32Array,
  b: number,
  h: number,
  w: number,
  c: number,
  srcPixelStride: number,
  dst: Float32Array,
): void {
  const h2 = Math.ceil(h / 2);
  const w2 = Math.ceil(w / 2);
  const rowStride = w * srcPixelStride;
  const evenW = w >> 1;
  let o = 0;
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h2; i++) {
      const top = (n * h + 2 * i) * rowStride;
      const hasBottom = 2 * i + 1 < h;
      for (let j = 0; j < w2; j++) {
        const p = top + 2 * j * srcPixelStride;
        if (hasBottom && j < evenW) {
          const pb = p + srcPixelStride;
          const pc = p + rowStride;
          const pd = pc + srcPixelStride;
          for (let k = 0, hk = o + c; k < c; k++, hk += 3) {
            const a = src[p + k]!;
            const bb = src[pb + k]!;
            const cc = src[pc + k]!;
            const d = src[pd + k]!;
            const s0 = a + bb;
            const d0 = a - bb;
            const s1 = cc + d;
            const d1 = cc - d;
            dst[o + k] = (s0 + s1) * 0.5;
            dst[hk] = (s0 - s1) * 0.5;
            dst[hk + 1] = (d0 + d1) * 0.5;
            dst[hk + 2] = (d0 - d1) * 0.5;
          }
        } else {
          // Edge block of an odd size: the missing samples are the zero padding.
          const hasRight = j < evenW;
          for (let k = 0, hk = o + c; k < c; k++, hk += 3) {
            const a = src[p + k]!;
            const bb = hasRight ? src[p + srcPixelStride + k]! : 0;
            const cc = hasBottom ? src[p + rowStride + k]! : 0;
            const d = hasBottom && hasRight ? src[p + rowStride + srcPixelStride + k]! : 0;
            const s0 = a + bb;
            const d0 = a - bb;
            const s1 = cc + d;
            const d1 = cc - d;
            dst[o + k] = (s0 + s1) * 0.5;
            dst[hk] = (s0 - s1) * 0.5;
            dst[hk + 1] = (d0 + d1) * 0.5;
            dst[hk + 2] = (d0 - d1) * 0.5;
          }
        }
        o += 4 * c;
      }
    }
  }
}

/**
 * One inverse level: `src` is [b, h2, w2, 4c], `dst` is [b, outH, outW, c] with outH in
 * {2*h2 - 1, 2*h2} (likewise outW); samples that fall on the padding are dropped (the crop).
 */
export function haarInverse(
  src: Float32Array,
  b: number,
  h2: number,
  w2: number,
  c: number,
  outH: number,
  outW: number,
  dst: Float32Array,
): void {
  const rowStride = outW * c;
  let p = 0;
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h2; i++) {
      const top = (n * outH + 2 * i) * rowStride;
      const hasBottom = 2 * i + 1 < outH;
      for (let j = 0; j < w2; j++) {
        const o = top + 2 * j * c;
        const hasRight = 2 * j + 1 < outW;
        const full = hasBottom && hasRight;
        for (let k = 0, hk = p + c; k < c; k++, hk += 3) {
          const ll = src[p + k]!;
          const lh = src[hk]!;
          const hl = src[hk + 1]!;
          const hh = src[hk + 2]!;
          const sTop = ll + lh;
          const sBottom = ll - lh;
          const dTop = hl + hh;
          const dBottom = hl - hh;
          dst[o + k] = (sTop + dTop) * 0.5;
          if (full) {
            dst[o + c + k] = (sTop - dTop) * 0.5;
            dst[o + rowStride + k] = (sBottom + dBottom) * 0.5;
            dst[o + rowStride + c + k] = (sBottom - dBottom) * 0.5;
          } else {
            if (hasRight) dst[o + c + k] = (sTop - dTop) * 0.5;
            if (hasBottom) dst[o + rowStride + k] = (sBottom + dBottom) * 0.5;
          }
        }
        p += 4 * c;
      }
    }
  }
}

/**
 * All pyramid levels: level 1 reads `src` once, each further level reads the LL channels of the
 * level before it in place (a quarter of the data), so the input is read a single time.
 */
export function haarPyramid(src: Float32Array, shape: Shape4, levels: number, dsts: readonly Float32Array[]): void {
  const [b, , , c] = shape;
  let [, h, w] = shape;
  let input = src;
  let stride = c;
  for (let level = 0; level < levels; level++) {
    const dst = dsts[level]!;
    haarForward(input, b, h, w, c, stride, dst);
    input = dst;
    stride = 4 * c;
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
  }
}
