import type * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError, seededDropout } from '@wavemix/core';
import { type Kwargs, type LayerArgs, type Shape, singleTensor } from './layer_utils';

export interface WaveMixDropoutArgs extends LayerArgs {
  /** The drop probability, in [0, 1). */
  rate: number;
}

/**
 * Dropout for training (the identity at inference), PyTorch's `nn.Dropout`: each call draws a
 * 32-bit seed from Math.random (so a seeded Math.random makes runs reproducible, as for tfjs'
 * Dropout) and runs @wavemix/core's `seededDropout`, whose mask is hashed from (seed, index): one
 * kernel where the backend has one (cpu, wasm), and the gradient regenerates the mask instead of
 * keeping it. tfjs' own Dropout draws its mask element by element in JavaScript.
 */
export class WaveMixDropout extends layers.Layer {
  static className = 'WaveMixDropout';
  readonly rate: number;

  constructor(args: WaveMixDropoutArgs) {
    super(args);
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw new WaveMixArgumentError('rate', `must be a drop probability in [0, 1), got ${String(args.rate)}`);
    }
    this.rate = args.rate;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = singleTensor(inputs, this.name);
    if (kwargs.training !== true || this.rate === 0) return x;
    return seededDropout(x, this.rate, Math.floor(Math.random() * 4294967296));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
serialization.registerClass(WaveMixDropout, 'WaveMix');
