import { env, util } from '@tensorflow/tfjs-core';

/**
 * The 2D texture [rows, columns] tfjs-backend-webgl allocates for an unpacked tensor of `shape`
 * (a port of its `webgl_util.getTextureShapeFromLogicalShape(shape, false)`, kept here so that
 * importing our `base` entry does not load the backend; a test checks the two agree).
 */
export function unpackedTextureShape(shape: readonly number[]): [number, number] {
  const maxTextureSize = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  let maxSizeForNarrowTexture = env().getNumber('WEBGL_MAX_SIZE_FOR_NARROW_TEXTURE');
  if (maxSizeForNarrowTexture === Infinity && env().getBool('WEBGL_AUTO_SQUARIFY_NARROW_TEXTURE_SHAPE')) {
    maxSizeForNarrowTexture = maxTextureSize / 2;
  }
  const logical = shape.length === 2 ? [...shape] : util.squeezeShape([...shape]).newShape;
  const size = util.sizeFromShape(logical);
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
    texture != null && Math.max(...texture) > maxSizeForNarrowTexture && Math.min(...texture) <= 1 && Math.min(...texture) > 0;
  if (texture == null || isLongNarrow) {
    const width = Math.ceil(Math.sqrt(size));
    texture = [width, Math.ceil(size / width)];
  }
  return texture;
}
