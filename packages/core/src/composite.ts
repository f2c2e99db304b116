/**
 * The Haar transforms built from plain tfjs ops. This is the fallback on any backend without a
 * WaveMix kernel and the oracle the kernels are tested against.
 *
 * Only rank <= 4 reshape / slice / concat / pad / add / mul are used: tfjs has no StridedSlice
 * gradient and tfjs-backend-webgpu cannot compile a rank-6 Pad. The gradients are explicit
 * (`customGrad` with the transposed composite), so they need no registered tfjs gradients and are
 * exact on every backend: d dwt = idwt then crop, d idwt = pad then dwt.
 */
import * as tf from '@tensorflow/tfjs-core';
import { halfSize } from './shapes';

type T4 = tf.Tensor4D;

function forwardEven(x: T4): T4 {
  const [b, h, w, c] = x.shape;
  const h2 = h / 2;
  const w2 = w / 2;
  // [b*h2, 2, w2, 2c]: axis 1 is the row within the 2x2 block, the channel axis holds both columns.
  const blocks = tf.reshape(x, [b * h2, 2, w2, 2 * c]);
  const top = tf.slice(blocks, [0, 0, 0, 0], [-1, 1, -1, -1]);
  const bottom = tf.slice(blocks, [0, 1, 0, 0], [-1, 1, -1, -1]);
  const a = tf.slice(top, [0, 0, 0, 0], [-1, -1, -1, c]);
  const bb = tf.slice(top, [0, 0, 0, c], [-1, -1, -1, c]);
  const cc = tf.slice(bottom, [0, 0, 0, 0], [-1, -1, -1, c]);
  const d = tf.slice(bottom, [0, 0, 0, c], [-1, -1, -1, c]);
  const s0 = tf.add(a, bb);
  const d0 = tf.sub(a, bb);
  const s1 = tf.add(cc, d);
  const d1 = tf.sub(cc, d);
  const half = tf.scalar(0.5);
  const ll = tf.mul(tf.add(s0, s1), half);
  const band = (t: tf.Tensor) => tf.reshape(tf.mul(t, half), [b * h2 * w2, c, 1]);
  // Interleave LH, HL, HH per channel: [pixels, c, 3] flattens to LH_0, HL_0, HH_0, LH_1, ...
  const highs = tf.concat([band(tf.sub(s0, s1)), band(tf.add(d0, d1)), band(tf.sub(d0, d1))], 2);
  return tf.concat([tf.reshape(ll, [b, h2, w2, c]), tf.reshape(highs, [b, h2, w2, 3 * c])], 3);
}

function inverseEven(y: T4): T4 {
  const [b, h2, w2, c4] = y.shape;
  const c = c4 / 4;
  const ll = tf.reshape(tf.slice(y, [0, 0, 0, 0], [-1, -1, -1, c]), [b * h2, 1, w2, c]);
  const highs = tf.reshape(tf.slice(y, [0, 0, 0, c], [-1, -1, -1, 3 * c]), [b * h2 * w2, c, 3]);
  const band = (index: number) => tf.reshape(tf.slice(highs, [0, 0, index], [-1, -1, 1]), [b * h2, 1, w2, c]);
  const lh = band(0);
  const hl = band(1);
  const hh = band(2);
  const half = tf.scalar(0.5);
  const sTop = tf.add(ll, lh);
  const sBottom = tf.sub(ll, lh);
  const dTop = tf.add(hl, hh);
  const dBottom = tf.sub(hl, hh);
  const top = tf.concat([tf.add(sTop, dTop), tf.sub(sTop, dTop)], 3);
  const bottom = tf.concat([tf.add(sBottom, dBottom), tf.sub(sBottom, dBottom)], 3);
  const blocks = tf.mul(tf.concat([top, bottom], 1), half);
  return tf.reshape(blocks, [b, 2 * h2, 2 * w2, c]);
}

function padToEven(x: T4): T4 {
  const [, h, w] = x.shape;
  if (h % 2 === 0 && w % 2 === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [0, h % 2],
    [0, w % 2],
    [0, 0],
  ]);
}

function crop(x: T4, height: number, width: number): T4 {
  const [, h, w] = x.shape;
  if (h === height && w === width) return x;
  return tf.slice(x, [0, 0, 0, 0], [-1, height, width, -1]);
}

/** Forward transform without a gradient of its own (used inside gradients). */
export function dwt2dCompositeRaw(x: T4): T4 {
  return tf.tidy(() => forwardEven(padToEven(x)));
}

/** Inverse transform cropped to [height, width], without a gradient of its own. */
export function idwt2dCompositeRaw(y: T4, height: number, width: number): T4 {
  return tf.tidy(() => crop(inverseEven(y), height, width));
}

/** Composite `dwt2d`: [b, h, w, c] -> [b, ceil(h/2), ceil(w/2), 4c]. */
export function dwt2dComposite(x: T4): T4 {
  const [, h, w] = x.shape;
  return recordWithGradient(
    x,
    () => dwt2dCompositeRaw(x),
    ([dy]) => idwt2dCompositeRaw(dy!, h, w),
  );
}

/** Composite `idwt2d`: [b, h2, w2, 4c] -> [b, outH, outW, c]. */
export function idwt2dComposite(y: T4, outputHeight: number, outputWidth: number): T4 {
  return recordWithGradient(
    y,
    () => idwt2dCompositeRaw(y, outputHeight, outputWidth),
    ([dx]) => dwt2dCompositeRaw(dx!),
  );
}

/** The LL channels (the first quarter) of a subband tensor. */
export function lowBand(x: T4): T4 {
  const c = x.shape[3] / 4;
  return tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, c]);
}

/** Forward pyramid without a gradient of its own. */
export function waveletPyramidCompositeRaw(x: T4, levels: number): T4[] {
  return tf.tidy(() => {
    const out: T4[] = [];
    let input = x;
    for (let level = 0; level < levels; level++) {
      const bands = forwardEven(padToEven(input));
      out.push(bands);
      input = lowBand(bands);
    }
    return out;
  });
}

/**
 * Transpose of the pyramid: given dX_1..dX_L returns dx. Walks from the coarsest level down,
 * adding each level's contribution to the LL channels of the level above it.
 */
export function waveletPyramidTranspose(
  dys: readonly tf.Tensor4D[],
  inputShape: readonly [number, number, number, number],
  idwt: (y: T4, height: number, width: number) => T4 = idwt2dCompositeRaw,
): T4 {
  return tf.tidy(() => {
    const levels = dys.length;
    const c = inputShape[3];
    const heights = [inputShape[1]];
    const widths = [inputShape[2]];
    for (let level = 1; level < levels; level++) {
      heights.push(halfSize(heights[level - 1]!));
      widths.push(halfSize(widths[level - 1]!));
    }
    let grad = dys[levels - 1]!;
    for (let level = levels - 1; level >= 1; level--) {
      const dLow = idwt(grad, heights[level]!, widths[level]!);
      const dy = dys[level - 1]!;
      const low = tf.add(tf.slice(dy, [0, 0, 0, 0], [-1, -1, -1, c]), dLow) as T4;
      grad = tf.concat([low, tf.slice(dy, [0, 0, 0, c], [-1, -1, -1, 3 * c])], 3);
    }
    return idwt(grad, heights[0]!, widths[0]!);
  });
}

/** Composite `waveletPyramid`. */
export function waveletPyramidComposite(x: T4, levels: number): T4[] {
  return recordWithGradient(
    x,
    () => waveletPyramidCompositeRaw(x, levels),
    (dys) => waveletPyramidTranspose(dys, x.shape),
  );
}

type KernelFuncParams = {
  forwardFunc: () => tf.Tensor | tf.Tensor[];
  backwardsFunc: (dy: tf.Tensor | tf.Tensor[]) => Record<string, () => tf.Tensor>;
  inputs: Record<string, tf.Tensor>;
};

/**
 * Records `forward` on the tape as one node whose gradient is `backward` (given one dy per
 * output). This is the engine primitive behind `tf.customGrad`, used directly because customGrad
 * allows a single output and the pyramid has several.
 */
export function recordWithGradient<O extends T4 | T4[]>(input: T4, forward: () => O, backward: (dys: T4[]) => T4): O {
  const engine = tf.engine();
  const run = (engine['runKernelFunc'] as unknown as (params: KernelFuncParams) => O).bind(engine);
  return run({
    forwardFunc: forward,
    backwardsFunc: (dy) => ({ x: () => backward((Array.isArray(dy) ? dy : [dy]) as T4[]) }),
    inputs: { x: input },
  });
}
