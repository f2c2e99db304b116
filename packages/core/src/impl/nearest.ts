/**
 * Typed-array nearest x2 upsampling, PyTorch `upsample_nearest2d` with scale 2 (source pixel
 * floor(i / 2)), and its adjoint. NHWC: each input pixel's row of `c` channels goes to a 2x2 block.
 */

/** `src [b, h, w, c]` -> `dst [b, 2h, 2w, c]`. */
export function nearestUpsample2xImpl(
  src: Float32Array,
  b: number,
  h: number,
  w: number,
  c: number,
  dst: Float32Array,
): void {
  const outRow = 2 * w * c;
  for (let row = 0; row < b * h; row++) {
    const top = 2 * row * outRow;
    for (let j = 0; j < w; j++) {
      const from = (row * w + j) * c;
      const to = top + 2 * j * c;
      for (let k = 0; k < c; k++) {
        const v = src[from + k]!;
        dst[to + k] = v;
        dst[to + c + k] = v;
        dst[to + outRow + k] = v;
        dst[to + outRow + c + k] = v;
      }
    }
  }
}

/** `dy [b, 2h, 2w, c]` -> `dst [b, h, w, c]`: the sum of each 2x2 block. */
export function nearestUpsample2xGradImpl(
  dy: Float32Array,
  b: number,
  h: number,
  w: number,
  c: number,
  dst: Float32Array,
): void {
  const dyRow = 2 * w * c;
  for (let row = 0; row < b * h; row++) {
    const top = 2 * row * dyRow;
    for (let j = 0; j < w; j++) {
      const to = (row * w + j) * c;
      const from = top + 2 * j * c;
      for (let k = 0; k < c; k++) {
        dst[to + k] = dy[from + k]! + dy[from + c + k]! + dy[from + dyRow + k]! + dy[from + dyRow + c + k]!;
      }
    }
  }
}
