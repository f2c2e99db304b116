import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError } from '@wavemix/core';
import { singleShape, singleTensor, type Kwargs, type LayerArgs, type Shape } from './layer_utils';

export interface PixelShuffleArgs extends LayerArgs {
  /** Upscale factor r (PyTorch `PixelShuffle(r)`); channels must be divisible by r*r. Default 2. */
  upscaleFactor?: number;
}

/**
 * PyTorch `nn.PixelShuffle(r)` on NHWC input, in PyTorch's channel order: output channel c at
 * (r*h + i, r*w + j) is input channel c*r*r + i*r + j at (h, w). tfjs `depthToSpace` reads the
 * channels the other way round (channel (i*r + j)*C + c), so official weights would come out
 * scrambled; this layer is a reshape and one rank-5 transpose instead, which every backend runs
 * and differentiates (no kernel of its own, nothing to register).
 */
export class PixelShuffle extends layers.Layer {
  static className = 'PixelShuffle';
  readonly upscaleFactor: number;

  constructor(args: PixelShuffleArgs = {}) {
    super(args);
    const r = args.upscaleFactor ?? 2;
    if (!Number.isInteger(r) || r < 1) {
      throw new WaveMixArgumentError('upscaleFactor', `must be a positive integer, got ${String(r)}`);
    }
    this.upscaleFactor = r;
    this.inputSpec = [{ ndim: 4 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, h, w, c] = singleShape(inputShape, this.name);
    const r = this.upscaleFactor;
    if (c != null && c % (r * r) !== 0) {
      throw new WaveMixArgumentError(this.name, `PixelShuffle(${r}) needs channels divisible by ${r * r}, got ${c}`);
    }
    return [b ?? null, h == null ? null : h * r, w == null ? null : w * r, c == null ? null : c / (r * r)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = singleTensor(inputs, this.name);
    const [b, h, w, channels] = x.shape as [number, number, number, number];
    const r = this.upscaleFactor;
    if (x.rank !== 4 || channels % (r * r) !== 0) {
      throw new WaveMixArgumentError(
        this.name,
        `PixelShuffle(${r}) needs NHWC input with channels divisible by ${r * r}, got shape [${x.shape.join(', ')}]`,
      );
    }
    const c = channels / (r * r);
    return tf.tidy(() => {
      // [b*h, w, c, i, j] -> [b*h, i, w, j, c]: rows (b, h, i) and columns (w, j) are then contiguous.
      const split = tf.reshape(x, [b * h, w, c, r, r]);
      return tf.reshape(tf.transpose(split, [0, 3, 1, 4, 2]), [b, h * r, w * r, c]);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), upscaleFactor: this.upscaleFactor };
  }
}
serialization.registerClass(PixelShuffle, 'WaveMix');
