import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError } from '@wavemix/core';
import { singleShape, singleTensor, type Kwargs, type LayerArgs, type Shape } from './layer_utils';

export interface ChannelSliceArgs extends LayerArgs {
  /** First channel kept. */
  begin: number;
  /** Number of channels kept. */
  size: number;
}

/**
 * Keeps channels `[begin, begin + size)` of an NHWC tensor: PyTorch's `img[:, begin:begin+size]`.
 * tfjs-layers has no slicing layer; WaveMixSR needs one to split Y from CbCr.
 */
export class ChannelSlice extends layers.Layer {
  static className = 'ChannelSlice';
  readonly begin: number;
  readonly size: number;

  constructor(args: ChannelSliceArgs) {
    super(args);
    const { begin, size } = args ?? ({} as ChannelSliceArgs);
    if (!Number.isInteger(begin) || begin < 0) {
      throw new WaveMixArgumentError('begin', `must be an integer >= 0, got ${String(begin)}`);
    }
    if (!Number.isInteger(size) || size < 1) {
      throw new WaveMixArgumentError('size', `must be an integer >= 1, got ${String(size)}`);
    }
    this.begin = begin;
    this.size = size;
    this.inputSpec = [{ ndim: 4 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, h, w, c] = singleShape(inputShape, this.name);
    if (c != null && this.begin + this.size > c) {
      throw new WaveMixArgumentError(
        this.name,
        `channels [${this.begin}, ${this.begin + this.size}) do not fit an input with ${c} channels`,
      );
    }
    return [b ?? null, h ?? null, w ?? null, this.size];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs, this.name) as tf.Tensor4D;
      return tf.slice(x, [0, 0, 0, this.begin], [-1, -1, -1, this.size]);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, size: this.size };
  }
}
serialization.registerClass(ChannelSlice, 'WaveMix');
