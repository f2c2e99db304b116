/**
 * Typed-array bicubic x2 upsampling, PyTorch `upsample_bicubic2d` with align_corners=False, and its
 * adjoint. For scale 2 the source coordinate of output 2m is m - 0.25 and of 2m + 1 is m + 0.25, so
 * every output row/column uses one of two fixed 4-tap filters (cubic convolution, A = -0.75) over
 * input samples clamped to the edge. Separable: along W, then along H.
 */

/** Taps m-2..m+1 for output 2m (t = 0.75), and m-1..m+2 for output 2m+1 (t = 0.25). */
export const BICUBIC_EVEN_WEIGHTS = [-0.03515625, 0.26171875, 0.87890625, -0.10546875] as const;
export const BICUBIC_ODD_WEIGHTS = [-0.10546875, 0.87890625, 0.26171875, -0.03515625] as const;

const [e0, e1, e2, e3] = BICUBIC_EVEN_WEIGHTS;
const [o0, o1, o2, o3] = BICUBIC_ODD_WEIGHTS;

function clamp(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/**
 * Upsamples one axis by 2: `src` viewed as [outer, n, inner] -> `dst` [outer, 2n, inner].
 */
function upsampleAxis(src: Float32Array, outer: number, n: number, inner: number, dst: Float32Array): void {
  for (let o = 0; o < outer; o++) {
    const srcBase = o * n * inner;
    const dstBase = o * 2 * n * inner;
    for (let m = 0; m < n; m++) {
      const pm2 = srcBase + clamp(m - 2, n) * inner;
      const pm1 = srcBase + clamp(m - 1, n) * inner;
      const p0 = srcBase + m * inner;
      const pp1 = srcBase + clamp(m + 1, n) * inner;
      const pp2 = srcBase + clamp(m + 2, n) * inner;
      const even = dstBase + 2 * m * inner;
      const odd = even + inner;
      for (let k = 0; k < inner; k++) {
        const am2 = src[pm2 + k]!;
        const am1 = src[pm1 + k]!;
        const a0 = src[p0 + k]!;
        const ap1 = src[pp1 + k]!;
        const ap2 = src[pp2 + k]!;
        dst[even + k] = e0 * am2 + e1 * am1 + e2 * a0 + e3 * ap1;
        dst[odd + k] = o0 * am1 + o1 * a0 + o2 * ap1 + o3 * ap2;
      }
    }
  }
}

/** Adjoint of `upsampleAxis`: `src` [outer, 2n, inner] -> `dst` [outer, n, inner] (overwritten). */
function upsampleAxisTranspose(src: Float32Array, outer: number, n: number, inner: number, dst: Float32Array): void {
  dst.fill(0, 0, outer * n * inner);
  for (let o = 0; o < outer; o++) {
    const srcBase = o * 2 * n * inner;
    const dstBase = o * n * inner;
    for (let m = 0; m < n; m++) {
      const pm2 = dstBase + clamp(m - 2, n) * inner;
      const pm1 = dstBase + clamp(m - 1, n) * inner;
      const p0 = dstBase + m * inner;
      const pp1 = dstBase + clamp(m + 1, n) * inner;
      const pp2 = dstBase + clamp(m + 2, n) * inner;
      const even = srcBase + 2 * m * inner;
      const odd = even + inner;
      for (let k = 0; k < inner; k++) {
        const ge = src[even + k]!;
        const go = src[odd + k]!;
        dst[pm2 + k] = dst[pm2 + k]! + e0 * ge;
        dst[pm1 + k] = dst[pm1 + k]! + e1 * ge + o0 * go;
        dst[p0 + k] = dst[p0 + k]! + e2 * ge + o1 * go;
        dst[pp1 + k] = dst[pp1 + k]! + e3 * ge + o2 * go;
        dst[pp2 + k] = dst[pp2 + k]! + o3 * go;
      }
    }
  }
}

/** NHWC `[b, h, w, c] -> [b, 2h, 2w, c]`; `scratch` holds b*h*2w*c floats. */
export function bicubicUpsample2xImpl(
  src: Float32Array,
  b: number,
  h: number,
  w: number,
  c: number,
  dst: Float32Array,
  scratch: Float32Array = new Float32Array(b * h * 2 * w * c),
): void {
  upsampleAxis(src, b * h, w, c, scratch);
  upsampleAxis(scratch, b, h, 2 * w * c, dst);
}

/** Adjoint: `dy [b, 2h, 2w, c] -> dx [b, h, w, c]`; `scratch` holds b*h*2w*c floats. */
export function bicubicUpsample2xGradImpl(
  dy: Float32Array,
  b: number,
  h: number,
  w: number,
  c: number,
  dx: Float32Array,
  scratch: Float32Array = new Float32Array(b * h * 2 * w * c),
): void {
  upsampleAxisTranspose(dy, b, h, 2 * w * c, scratch);
  upsampleAxisTranspose(scratch, b * h, w, c, dx);
}
