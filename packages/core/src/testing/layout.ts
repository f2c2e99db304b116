/**
 * Conversions between PyTorch's NCHW tensors / pytorch_wavelets outputs and our NHWC WaveMix
 * layout, on plain arrays, so a test's expected values never pass through the code under test.
 */

/** NCHW -> NHWC. */
export function nchwToNhwc(data: ArrayLike<number>, [n, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(n! * c! * h! * w!);
  for (let b = 0; b < n!; b++)
    for (let k = 0; k < c!; k++)
      for (let i = 0; i < h!; i++)
        for (let j = 0; j < w!; j++) out[((b * h! + i) * w! + j) * c! + k] = data[((b * c! + k) * h! + i) * w! + j]!;
  return out;
}

/** NHWC -> NCHW. */
export function nhwcToNchw(data: ArrayLike<number>, [n, h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(n! * c! * h! * w!);
  for (let b = 0; b < n!; b++)
    for (let k = 0; k < c!; k++)
      for (let i = 0; i < h!; i++)
        for (let j = 0; j < w!; j++) out[((b * c! + k) * h! + i) * w! + j] = data[((b * h! + i) * w! + j) * c! + k]!;
  return out;
}

/**
 * Builds one level in the WaveMix layout [n, h, w, 4c] from pytorch_wavelets tensors: `low`
 * (N, C, H, W) or null for zeros, and `high` (N, C, 3, H, W) with bands LH, HL, HH.
 */
export function waveMixLayout(
  low: ArrayLike<number> | null,
  high: ArrayLike<number>,
  [n, c, h, w]: readonly [number, number, number, number],
): Float32Array {
  const out = new Float32Array(n * h * w * 4 * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const pixel = ((b * h + i) * w + j) * 4 * c;
        for (let k = 0; k < c; k++) {
          out[pixel + k] = low ? low[((b * c + k) * h + i) * w + j]! : 0;
          for (let band = 0; band < 3; band++) {
            out[pixel + c + 3 * k + band] = high[(((b * c + k) * 3 + band) * h + i) * w + j]!;
          }
        }
      }
  return out;
}

/** The high-band channels of a WaveMix-layout level, dropping LL (to compare levels whose LL is not a fixture). */
export function highChannels(data: ArrayLike<number>, pixels: number, c: number): Float32Array {
  const out = new Float32Array(pixels * 3 * c);
  for (let p = 0; p < pixels; p++) for (let k = 0; k < 3 * c; k++) out[p * 3 * c + k] = data[p * 4 * c + c + k]!;
  return out;
}
