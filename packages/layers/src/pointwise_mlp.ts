import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { pointwiseMlp, WaveMixArgumentError } from '@wavemix/core';
import { torchBiasInitializer, torchKernelInitializer } from './initializers';
import { singleShape, singleTensor, type Kwargs, type LayerArgs, type Shape } from './layer_utils';

export interface PointwiseMlpArgs extends LayerArgs {
  /** Channels of the intermediate (the first 1x1 convolution's filters). */
  hiddenChannels: number;
  /** Output channels (the second 1x1 convolution's filters). */
  outChannels: number;
}

function positiveInteger(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new WaveMixArgumentError(argument, `must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * A feed-forward unit's `Conv1x1 -> GELU (exact) -> [Dropout] -> Conv1x1` as one layer for
 * inference (dropout is the identity there): `[b, h, w, cin] -> [b, h, w, outChannels]` through
 * @wavemix/core's `pointwiseMlp` (one fused kernel on wasm). Weights `w1 [cin, hidden]`,
 * `b1 [hidden]`, `w2 [hidden, out]`, `b2 [out]`: the two Conv2D kernels `[1, 1, in, out]`
 * reshaped, so an unfused unit's weights load as they are (see optimizeForInference).
 */
export class PointwiseMlp extends layers.Layer {
  static className = 'PointwiseMlp';
  readonly hiddenChannels: number;
  readonly outChannels: number;
  private w1: LayerVariable | null = null;
  private b1: LayerVariable | null = null;
  private w2: LayerVariable | null = null;
  private b2: LayerVariable | null = null;

  constructor(args: PointwiseMlpArgs) {
    super(args);
    this.hiddenChannels = positiveInteger(args?.hiddenChannels, 'hiddenChannels');
    this.outChannels = positiveInteger(args?.outChannels, 'outChannels');
    this.inputSpec = [{ ndim: 4 }];
  }

  override build(inputShape: Shape | Shape[]): void {
    const cin = singleShape(inputShape, this.name)[3];
    if (cin == null) {
      throw new WaveMixArgumentError(this.name, 'needs a known channel count (the last input dimension)');
    }
    const { hiddenChannels: hidden, outChannels: out } = this;
    // PyTorch's Conv2d initialisation, as the unfused unit's layers have it.
    this.w1 = this.addWeight('w1', [cin, hidden], 'float32', torchKernelInitializer());
    this.b1 = this.addWeight('b1', [hidden], 'float32', torchBiasInitializer(cin));
    this.w2 = this.addWeight('w2', [hidden, out], 'float32', torchKernelInitializer());
    this.b2 = this.addWeight('b2', [out], 'float32', torchBiasInitializer(hidden));
    this.inputSpec = [{ ndim: 4, axes: { [-1]: cin } }];
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, h, w] = singleShape(inputShape, this.name);
    return [b ?? null, h ?? null, w ?? null, this.outChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() =>
      pointwiseMlp(singleTensor(inputs, this.name), this.w1!.read(), this.b1!.read(), this.w2!.read(), this.b2!.read()),
    );
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), hiddenChannels: this.hiddenChannels, outChannels: this.outChannels };
  }
}
serialization.registerClass(PointwiseMlp, 'WaveMix');
