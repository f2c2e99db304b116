/**
 * PSNR in dB between two RGBA byte images (alpha ignored), peak 255:
 * `10 log10(255^2 / MSE)` over the RGB values; Infinity for identical images.
 */
export function psnrRgba(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length % 4 !== 0) {
    throw new RangeError(`PSNR needs two RGBA images of the same size, got ${a.length} and ${b.length} bytes`);
  }
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  const mse = sum / ((a.length / 4) * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** The central crop of an RGBA image to even width and height (for the 2× comparison). */
export function evenSize(width: number, height: number): [number, number] {
  return [width - (width % 2), height - (height % 2)];
}

/**
 * 2× downscale by averaging each 2×2 block (the low-resolution input of the SR comparison);
 * width and height must be even. RGBA in, RGBA out.
 */
export function downscale2x(rgba: ArrayLike<number>, width: number, height: number): Uint8ClampedArray {
  if (width % 2 || height % 2) throw new RangeError(`downscale2x needs even sizes, got ${width}×${height}`);
  const w = width / 2;
  const h = height / 2;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        const at = (yy: number, xx: number) => rgba[(yy * width + xx) * 4 + c]!;
        const sum = at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1);
        out[(y * w + x) * 4 + c] = Math.round(sum / 4);
      }
    }
  }
  return out;
}

/** Crops an RGBA image to its top-left `width × height`. */
export function cropRgba(
  rgba: ArrayLike<number>,
  sourceWidth: number,
  width: number,
  height: number,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width * 4; x++) out[y * width * 4 + x] = rgba[y * sourceWidth * 4 + x]!;
  }
  return out;
}
