/**
 * Mapping coefficients to grey levels. The approximation band (LL) is shown with its own
 * min..max stretched to 0..255. Detail bands are signed and mostly near zero: they are shown
 * around mid-grey (128 = 0) scaled by a robust maximum (the 99th percentile of |v|), so a few
 * large coefficients do not flatten the rest; values beyond it saturate.
 */
export type DisplayMode = 'approximation' | 'detail';

export interface DisplayScale {
  mode: DisplayMode;
  /** approximation: the value shown black; detail: unused (0 is mid-grey). */
  low: number;
  /** approximation: the value shown white; detail: the |v| shown black or white. */
  high: number;
}

/** The `q`-quantile (0..1) of |values|, by sorting a copy (nearest rank). */
export function absQuantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return 0;
  const abs = Float32Array.from(values, Math.abs).sort();
  const rank = Math.min(abs.length - 1, Math.max(0, Math.ceil(q * abs.length) - 1));
  return abs[rank]!;
}

export function displayScale(values: ArrayLike<number>, mode: DisplayMode): DisplayScale {
  if (mode === 'approximation') {
    let low = Infinity;
    let high = -Infinity;
    for (let i = 0; i < values.length; i++) {
      low = Math.min(low, values[i]!);
      high = Math.max(high, values[i]!);
    }
    if (!Number.isFinite(low)) return { mode, low: 0, high: 1 };
    return { mode, low, high };
  }
  return { mode, low: 0, high: absQuantile(values, 0.99) };
}

/** Grey level 0..255 of one value. A flat band (no spread) shows mid-grey. */
export function toGrey(value: number, scale: DisplayScale): number {
  let t: number;
  if (scale.mode === 'approximation') {
    const span = scale.high - scale.low;
    t = span > 0 ? (value - scale.low) / span : 0.5;
  } else {
    t = scale.high > 0 ? 0.5 + value / (2 * scale.high) : 0.5;
  }
  return Math.round(255 * Math.min(1, Math.max(0, t)));
}

/** RGBA bytes (grey, opaque) for a band, ready for `new ImageData(...)`. */
export function bandToRgba(
  values: ArrayLike<number>,
  mode: DisplayMode,
  scale = displayScale(values, mode),
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const g = toGrey(values[i]!, scale);
    out[4 * i] = g;
    out[4 * i + 1] = g;
    out[4 * i + 2] = g;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** RGBA bytes of an RGB image with values in [0, 1] (clipped). */
export function rgbUnitToRgba(rgb: ArrayLike<number>, pixels: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    out[4 * p] = Math.round(255 * rgb[3 * p]!);
    out[4 * p + 1] = Math.round(255 * rgb[3 * p + 1]!);
    out[4 * p + 2] = Math.round(255 * rgb[3 * p + 2]!);
    out[4 * p + 3] = 255;
  }
  return out;
}

/** RGBA bytes of a signed RGB difference image: 128 = 0, scaled by the largest |value|. */
export function differenceToRgba(rgb: ArrayLike<number>, pixels: number): Uint8ClampedArray {
  let max = 0;
  for (let i = 0; i < pixels * 3; i++) max = Math.max(max, Math.abs(rgb[i]!));
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) out[4 * p + c] = max > 0 ? Math.round(128 + (127 * rgb[3 * p + c]!) / max) : 128;
    out[4 * p + 3] = 255;
  }
  return out;
}
