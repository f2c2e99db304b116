import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError, halfSize, maxLevels, waveletPyramid } from '@wavemix/core';
import { singleShape, singleTensor, type Kwargs, type LayerArgs, type Shape } from './layer_utils';

/**
 * Channel order of each level's output.
 * - `wavemix`: `[LL_0..LL_{k-1}, LH_0, HL_0, HH_0, LH_1, ...]`, the order the official WaveMix
 *   code produces and the only one its pretrained weights work with.
 * - `bands`: `[LL_0..LL_{k-1}, LH_0..LH_{k-1}, HL_0..HL_{k-1}, HH_0..HH_{k-1}]`, band-major.
 */
export type DWT2DLayout = 'wavemix' | 'bands';
export const DWT2D_LAYOUTS: readonly DWT2DLayout[] = ['wavemix', 'bands'];

export interface DWT2DArgs extends LayerArgs {
  /** Pyramid depth J >= 1 (default 1). */
  levels?: number;
  /** Channel order of each level (default `wavemix`). */
  layout?: DWT2DLayout;
}

/**
 * Parameter-free 2D Haar DWT (pytorch_wavelets `db1`, zero mode) over NHWC input.
 *
 * `levels = 1` outputs one tensor `[b, ceil(h/2), ceil(w/2), 4c]`. `levels = J > 1` outputs the
 * list `[X_1, ..., X_J]`, `X_k = DWT(LL of X_{k-1})`, each with 4c channels at `h / 2^k`: exactly
 * the inputs a level-J wave block consumes. Differentiable; unknown (null) spatial sizes stay null.
 */
export class DWT2D extends layers.Layer {
  static className = 'DWT2D';
  readonly levels: number;
  readonly layout: DWT2DLayout;

  constructor(args: DWT2DArgs = {}) {
    super(args);
    const { levels = 1, layout = 'wavemix' } = args;
    if (typeof levels !== 'number' || !Number.isInteger(levels) || levels < 1) {
      throw new WaveMixArgumentError('levels', `must be an integer >= 1, got ${String(levels)}`);
    }
    if (!DWT2D_LAYOUTS.includes(layout)) {
      throw new WaveMixArgumentError('layout', `must be one of ${DWT2D_LAYOUTS.join(', ')}, got ${String(layout)}`);
    }
    this.levels = levels;
    this.layout = layout;
    this.inputSpec = [{ ndim: 4 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const [batch, height, width, channels] = singleShape(inputShape, this.name);
    for (const [axis, size] of [
      ['height', height],
      ['width', width],
    ] as const) {
      if (size != null && maxLevels(size, size) < this.levels) {
        throw new WaveMixArgumentError(
          this.name,
          `a ${this.levels}-level DWT needs ${axis} >= ${2 ** this.levels} (floor(log2(${axis})) >= levels), got ${axis} ${size}`,
        );
      }
    }
    const shapes: Shape[] = [];
    let h = height ?? null;
    let w = width ?? null;
    for (let level = 0; level < this.levels; level++) {
      h = h == null ? null : halfSize(h);
      w = w == null ? null : halfSize(w);
      shapes.push([batch ?? null, h, w, channels == null ? null : 4 * channels]);
    }
    return this.levels === 1 ? shapes[0]! : shapes;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const x = singleTensor(inputs, this.name) as tf.Tensor4D;
      const pyramid = waveletPyramid(x, this.levels);
      const out = this.layout === 'bands' ? pyramid.map(toBandMajor) : pyramid;
      return this.levels === 1 ? out[0]! : out;
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), levels: this.levels, layout: this.layout };
  }
}
serialization.registerClass(DWT2D, 'WaveMix');

/** `[LL, (LH, HL, HH) per channel]` -> `[LL, LH..., HL..., HH...]`. */
function toBandMajor(level: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c4] = level.shape;
  const c = c4 / 4;
  const low = tf.slice(level, [0, 0, 0, 0], [-1, -1, -1, c]);
  const highs = tf.reshape(tf.slice(level, [0, 0, 0, c], [-1, -1, -1, 3 * c]), [b * h * w, c, 3]);
  const bandMajor = tf.reshape(tf.transpose(highs, [0, 2, 1]), [b, h, w, 3 * c]);
  return tf.concat([low, bandMajor], 3) as tf.Tensor4D;
}
