import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError, bicubicUpsample2x, bilinearUpsample2x } from '@wavemix/core';
import { singleShape, singleTensor, type Kwargs, type LayerArgs, type Shape } from './layer_utils';

export type UpsampleMode = 'bicubic' | 'bilinear';
export const UPSAMPLE_MODES: readonly UpsampleMode[] = ['bicubic', 'bilinear'];

export interface UpsampleArgs extends LayerArgs {
  /** Integer scale factor (default 2). */
  scale?: number;
  /** Default 'bicubic'. */
  mode?: UpsampleMode;
}

/** PyTorch's cubic convolution constant (upsample_bicubic2d). */
const CUBIC_A = -0.75;
const cubicNear = (x: number) => ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
const cubicFar = (x: number) => ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;

/**
 * The [inSize * scale, inSize] matrix M with out = M @ in along one axis, exactly as PyTorch's
 * `interpolate(scale_factor=scale, align_corners=False)` weighs its taps: source position
 * (dst + 0.5) / scale - 0.5; bilinear clamps it at 0, bicubic takes 4 taps with the index
 * clamped to the border (its weights then pile up on the edge sample).
 */
export function interpolationMatrix(inSize: number, scale: number, mode: UpsampleMode): Float32Array {
  const outSize = inSize * scale;
  const m = new Float32Array(outSize * inSize);
  const clampIndex = (i: number) => Math.min(Math.max(i, 0), inSize - 1);
  for (let dst = 0; dst < outSize; dst++) {
    const source = (dst + 0.5) / scale - 0.5;
    const row = dst * inSize;
    if (mode === 'bilinear') {
      const s = Math.max(source, 0);
      const i0 = Math.floor(s);
      const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
      const t = s - i0;
      m[row + i0]! += 1 - t;
      m[row + i1]! += t;
    } else {
      const i0 = Math.floor(source);
      const t = source - i0;
      const weights = [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)];
      for (let k = 0; k < 4; k++) m[row + clampIndex(i0 - 1 + k)]! += weights[k]!;
    }
  }
  return m;
}

/**
 * Upsamples NHWC input by an integer factor along H and W as a pair of matrix products, so it is
 * exact against PyTorch and differentiable on every backend. x2 goes to the `bicubicUpsample2x` or
 * `bilinearUpsample2x` op of @wavemix/core instead (backend kernels where registered).
 */
export function upsample(x: tf.Tensor4D, scale: number, mode: UpsampleMode): tf.Tensor4D {
  if (scale === 2) return mode === 'bicubic' ? bicubicUpsample2x(x) : bilinearUpsample2x(x);
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const rows = tf.tensor3d(interpolationMatrix(h, scale, mode), [1, h * scale, h]);
    const columns = tf.tensor3d(interpolationMatrix(w, scale, mode), [1, w * scale, w]);
    const alongH = tf.matMul(rows, tf.reshape(x, [b, h, w * c]));
    const alongW = tf.matMul(columns, tf.reshape(alongH, [b * h * scale, w, c]));
    return tf.reshape(alongW, [b, h * scale, w * scale, c]);
  });
}

/**
 * PyTorch `nn.Upsample(scale_factor=scale, mode, align_corners=False)` on NHWC input, for an
 * integer `scale` and mode 'bicubic' or 'bilinear'. Parameter-free; unknown sizes stay unknown.
 */
export class Upsample extends layers.Layer {
  static className = 'WaveMixUpsample';
  readonly scale: number;
  readonly mode: UpsampleMode;

  constructor(args: UpsampleArgs = {}) {
    super(args);
    const scale = args.scale ?? 2;
    const mode = args.mode ?? 'bicubic';
    if (!Number.isInteger(scale) || scale < 1) {
      throw new WaveMixArgumentError('scale', `must be a positive integer, got ${String(scale)}`);
    }
    if (!UPSAMPLE_MODES.includes(mode)) {
      throw new WaveMixArgumentError('mode', `must be 'bicubic' or 'bilinear', got ${JSON.stringify(mode)}`);
    }
    this.scale = scale;
    this.mode = mode;
    this.inputSpec = [{ ndim: 4 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, h, w, c] = singleShape(inputShape, this.name);
    const s = this.scale;
    return [b ?? null, h == null ? null : s * h, w == null ? null : s * w, c ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return upsample(singleTensor(inputs, this.name) as tf.Tensor4D, this.scale, this.mode);
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale, mode: this.mode };
  }
}
serialization.registerClass(Upsample, 'WaveMix');
