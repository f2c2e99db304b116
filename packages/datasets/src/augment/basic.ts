import type { Rng } from '../rng';
import type { ImageU8 } from './image';

/**
 * Pads `padding` pixels of `fill` on every side, then crops `height x width` at (top, left) of
 * the padded image (torchvision `RandomCrop(size, padding)` with a constant fill).
 */
export function cropWithPadding(
  image: ImageU8,
  top: number,
  left: number,
  height: number,
  width: number,
  padding: number,
  fill = 0,
): ImageU8 {
  const { width: w, height: h, channels: c, data } = image;
  const out = new Uint8Array(height * width * c).fill(fill);
  for (let y = 0; y < height; y++) {
    const sy = top + y - padding;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < width; x++) {
      const sx = left + x - padding;
      if (sx < 0 || sx >= w) continue;
      const src = (sy * w + sx) * c;
      const dst = (y * width + x) * c;
      for (let k = 0; k < c; k++) out[dst + k] = data[src + k]!;
    }
  }
  return { data: out, height, width, channels: c };
}

/** Draws the crop offsets for {@link cropWithPadding} uniformly (two draws: top, then left). */
export function drawCropOffsets(
  rng: Rng,
  imageHeight: number,
  imageWidth: number,
  height: number,
  width: number,
  padding: number,
): [number, number] {
  const top = rng.int(imageHeight + 2 * padding - height + 1);
  const left = rng.int(imageWidth + 2 * padding - width + 1);
  return [top, left];
}

/** Mirrors the image left to right. */
export function horizontalFlip(image: ImageU8): ImageU8 {
  const { width: w, height: h, channels: c, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (y * w + x) * c;
      const dst = (y * w + (w - 1 - x)) * c;
      for (let k = 0; k < c; k++) out[dst + k] = data[src + k]!;
    }
  }
  return { ...image, data: out };
}

/**
 * Writes `(value / 255 - mean[c]) / std[c]` (or `value / 255` without statistics) for every
 * value of an HWC image into `out` at `offset`.
 */
export function normalizeInto(
  image: ImageU8,
  out: Float32Array,
  offset: number,
  mean?: readonly number[],
  std?: readonly number[],
): void {
  const { channels: c, data } = image;
  if (!mean || !std) {
    for (let i = 0; i < data.length; i++) out[offset + i] = data[i]! / 255;
    return;
  }
  const scale = Array.from({ length: c }, (_, k) => 1 / (255 * std[k]!));
  const shift = Array.from({ length: c }, (_, k) => mean[k]! / std[k]!);
  for (let i = 0; i < data.length; i++) {
    const k = i % c;
    out[offset + i] = data[i]! * scale[k]! - shift[k]!;
  }
}
