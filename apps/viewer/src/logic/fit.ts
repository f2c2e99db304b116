/**
 * How an opened image becomes the explorer's working image. Any size is accepted: images larger
 * than `maxSide` are resized down (aspect ratio kept), and the result is padded on the right and
 * bottom to a multiple of `multiple` so every level of a 4-level pyramid has whole, even bands.
 */
export interface FitOptions {
  /** Longest side of the working image; larger images are scaled down. */
  maxSide: number;
  /** Width and height are padded up to a multiple of this (16 = 2^4 for four levels). */
  multiple: number;
}

export const DEFAULT_FIT: FitOptions = { maxSide: 256, multiple: 16 };

export interface FitPlan {
  sourceWidth: number;
  sourceHeight: number;
  /** Size after resizing (equal to the source when not resized). */
  resizedWidth: number;
  resizedHeight: number;
  /** Final size, after padding. */
  width: number;
  height: number;
  padRight: number;
  padBottom: number;
  resized: boolean;
  padded: boolean;
  maxSide: number;
}

export function planFit(sourceWidth: number, sourceHeight: number, options: FitOptions = DEFAULT_FIT): FitPlan {
  for (const [name, value] of [
    ['width', sourceWidth],
    ['height', sourceHeight],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`image ${name} must be a positive integer, got ${value}`);
  }
  const longest = Math.max(sourceWidth, sourceHeight);
  const scale = longest > options.maxSide ? options.maxSide / longest : 1;
  const resizedWidth = Math.max(1, Math.round(sourceWidth * scale));
  const resizedHeight = Math.max(1, Math.round(sourceHeight * scale));
  const roundUp = (n: number) => Math.ceil(n / options.multiple) * options.multiple;
  const width = roundUp(resizedWidth);
  const height = roundUp(resizedHeight);
  return {
    sourceWidth,
    sourceHeight,
    resizedWidth,
    resizedHeight,
    width,
    height,
    padRight: width - resizedWidth,
    padBottom: height - resizedHeight,
    resized: scale !== 1,
    padded: width !== resizedWidth || height !== resizedHeight,
    maxSide: options.maxSide,
  };
}

/** The sentence the page shows about what happened to the image. */
export function describeFit(plan: FitPlan): string {
  const source = `${plan.sourceWidth}×${plan.sourceHeight}`;
  const parts: string[] = [];
  if (plan.resized)
    parts.push(`resized to ${plan.resizedWidth}×${plan.resizedHeight} (longest side at most ${plan.maxSide} px)`);
  if (plan.padded) {
    parts.push(
      `padded to ${plan.width}×${plan.height} (${plan.padRight} px right, ${plan.padBottom} px bottom, edge pixels repeated)`,
    );
  }
  if (parts.length === 0) return `${source}: used as is (no resizing or padding)`;
  return `${source}: ${parts.join(', then ')}`;
}

/**
 * Pads interleaved pixels (`channels` per pixel, row-major) on the right and bottom by repeating
 * the last column and row, which adds no artificial edge for the high bands to pick up.
 */
export function padEdge(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  targetWidth: number,
  targetHeight: number,
): Float32Array {
  if (pixels.length !== width * height * channels) {
    throw new RangeError(
      `expected ${width}×${height}×${channels} = ${width * height * channels} values, got ${pixels.length}`,
    );
  }
  if (targetWidth < width || targetHeight < height) throw new RangeError('padding cannot shrink an image');
  const out = new Float32Array(targetWidth * targetHeight * channels);
  for (let y = 0; y < targetHeight; y++) {
    const sy = Math.min(y, height - 1);
    for (let x = 0; x < targetWidth; x++) {
      const sx = Math.min(x, width - 1);
      const src = (sy * width + sx) * channels;
      const dst = (y * targetWidth + x) * channels;
      for (let c = 0; c < channels; c++) out[dst + c] = pixels[src + c]!;
    }
  }
  return out;
}

/** RGB values in [0, 1] from RGBA bytes (alpha dropped: images are composited on black first). */
export function rgbaToRgbUnit(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  if (rgba.length !== width * height * 4)
    throw new RangeError(`expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  const out = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    out[j] = rgba[i]! / 255;
    out[j + 1] = rgba[i + 1]! / 255;
    out[j + 2] = rgba[i + 2]! / 255;
  }
  return out;
}

/**
 * The working image in [0, 1], NHWC data of [1, plan.height, plan.width, 3], from RGBA bytes that
 * are already at the resized size (the browser resizes with its image smoothing).
 */
export function workingImage(rgbaResized: ArrayLike<number>, plan: FitPlan): Float32Array {
  const rgb = rgbaToRgbUnit(rgbaResized, plan.resizedWidth, plan.resizedHeight);
  return padEdge(rgb, plan.resizedWidth, plan.resizedHeight, 3, plan.width, plan.height);
}
