/**
 * Typed-array bilinear x2 upsampling, PyTorch `upsample_bilinear2d` with scale 2 and
 * align_corners=False, and its adjoint. Along each axis output 2i is 0.75 x[i] + 0.25 x[i - 1] and
 * output 2i + 1 is 0.75 x[i] + 0.25 x[i + 1], the neighbour index clamped to the image (so the
 * first and last outputs copy the edge pixel, as PyTorch's clamped source coordinate does).
 */

const NEAR = 0.75;
const FAR = 0.25;

/** `src [b, h, w, c]` -> `dst [b, 2h, 2w, c]`: rows blended first, then columns (PyTorch's order). */
export function bilinearUpsample2xImpl(
  src: Float32Array,
  b: number,
  h: number,
  w: number,
  c: number,
  dst: Float32Array,
): void {
  const inRow = w * c;
  const outRow = 2 * w * c;
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h; i++) {
      const mid = (n * h + i) * inRow;
      for (let a = 0; a < 2; a++) {
        const farRow = Math.min(Math.max(i + (a === 0 ? -1 : 1), 0), h - 1);
        const far = (n * h + farRow) * inRow;
        const out = (n * 2 * h + 2 * i + a) * outRow;
        for (let j = 0; j < w; j++) {
          const left = Math.max(j - 1, 0) * c;
          const right = Math.min(j + 1, w - 1) * c;
          const centre = j * c;
          for (let k = 0; k < c; k++) {
            const v = NEAR * src[mid + centre + k]! + FAR * src[far + centre + k]!;
            const vl = NEAR * src[mid + left + k]! + FAR * src[far + left + k]!;
            const vr = NEAR * src[mid + right + k]! + FAR * src[far + right + k]!;
            dst[out + 2 * centre + k] = NEAR * v + FAR * vl;
            dst[out + 2 * centre + c + k] = NEAR * v + FAR * vr;
          }
        }
      }
    }
  }
}

/**
 * `dy [b, 2h, 2w, c]` -> `dst [b, h, w, c]`: along each axis input i collects output rows 2i - 1,
 * 2i, 2i + 1, 2i + 2 with weights 0.25, 0.75, 0.75, 0.25, each index clamped to [0, 2h - 1] (the
 * clamped taps are the edge outputs' copies of the edge pixel).
 */
export function bilinearUpsample2xGradImpl(
  dy: Float32Array,
  b: number,
  h: number,
  w: number,
  c: number,
  dst: Float32Array,
): void {
  const dyRow = 2 * w * c;
  const rowWeights = [FAR, NEAR, NEAR, FAR];
  const columns = new Int32Array(4);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h; i++) {
      const out = (n * h + i) * w * c;
      dst.fill(0, out, out + w * c);
      for (let t = 0; t < 4; t++) {
        const row = (n * 2 * h + Math.min(Math.max(2 * i - 1 + t, 0), 2 * h - 1)) * dyRow;
        const rowWeight = rowWeights[t]!;
        for (let j = 0; j < w; j++) {
          for (let u = 0; u < 4; u++) columns[u] = Math.min(Math.max(2 * j - 1 + u, 0), 2 * w - 1) * c;
          const to = out + j * c;
          for (let k = 0; k < c; k++) {
            const s =
              FAR * dy[row + columns[0]! + k]! +
              NEAR * dy[row + columns[1]! + k]! +
              NEAR * dy[row + columns[2]! + k]! +
              FAR * dy[row + columns[3]! + k]!;
            dst[to + k] = dst[to + k]! + rowWeight * s;
          }
        }
      }
    }
  }
}
