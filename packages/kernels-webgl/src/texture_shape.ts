import { env, util } from '@tensorflow/tfjs-core';

/**
 * The 2D texture shape tfjs-backend-webgl computes for a tensor of `shape`, in values (a packed
 * texture holds 2x2 values per texel, so its texels are half of that on each side). A port of
 * `webgl_util.getTextureShapeFromLogicalShape`, kept here so that importing our `base` entry does
 * not load the backend; a test checks the two agree.
 */
export function textureShape(shape: readonly number[], isPacked = false): [number, number] {
  let maxTextureSize = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  let maxSizeForNarrowTexture = env().getNumber('WEBGL_MAX_SIZE_FOR_NARROW_TEXTURE');
  if (maxSizeForNarrowTexture === Infinity && env().getBool('WEBGL_AUTO_SQUARIFY_NARROW_TEXTURE_SHAPE')) {
    maxSizeForNarrowTexture = maxTextureSize / 2;
  }
  let logical = [...shape];
  if (isPacked) {
    maxTextureSize *= 2;
    maxSizeForNarrowTexture *= 2;
    // Values pair up within the last two dimensions only, so those round up to even.
    logical = logical.map((d, i) => (i >= logical.length - 2 ? d + (d % 2) : d));
    if (logical.length === 1) logical = [2, logical[0]!];
  }
  if (logical.length !== 2) logical = util.squeezeShape(logical).newShape;
  let size = util.sizeFromShape(logical);
  const fits = (n: number) => n <= maxTextureSize;
  const [d0 = 1, d1 = 1, d2 = 1, d3 = 1] = logical;
  let texture: [number, number] | null = null;
  if (logical.length <= 1 && fits(size)) texture = [1, size];
  else if (logical.length === 2 && fits(d0) && fits(d1)) texture = [d0, d1];
  else if (logical.length === 3 && fits(d0 * d1) && fits(d2)) texture = [d0 * d1, d2];
  else if (logical.length === 3 && fits(d0) && fits(d1 * d2)) texture = [d0, d1 * d2];
  else if (logical.length === 4 && fits(d0 * d1 * d2) && fits(d3)) texture = [d0 * d1 * d2, d3];
  else if (logical.length === 4 && fits(d0) && fits(d1 * d2 * d3)) texture = [d0, d1 * d2 * d3];
  const isLongNarrow =
    texture != null &&
    Math.max(...texture) > maxSizeForNarrowTexture &&
    Math.min(...texture) <= (isPacked ? 2 : 1) &&
    Math.min(...texture) > 0;
  if (texture == null || isLongNarrow) {
    if (isPacked) {
      const rows = logical.length > 1 ? logical[logical.length - 2]! : 1;
      const columns = logical.length > 0 ? logical[logical.length - 1]! : 2;
      const batch = util.sizeFromShape(logical.slice(0, -2));
      size = batch * (logical.length ? (rows / 2) * (columns / 2) : 1);
      texture = squarish(size).map((d) => d * 2) as [number, number];
    } else {
      texture = squarish(size);
    }
  }
  return texture;
}

function squarish(size: number): [number, number] {
  const width = Math.ceil(Math.sqrt(size));
  return [width, Math.ceil(size / width)];
}

/** The physical texture, in texels, that `textureShape` implies. */
export function texelShape(shape: readonly number[], isPacked = false): [number, number] {
  const [rows, columns] = textureShape(shape, isPacked);
  return isPacked ? [Math.ceil(rows / 2), Math.ceil(columns / 2)] : [rows, columns];
}
