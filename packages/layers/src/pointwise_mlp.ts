import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { pointwiseMlp, WaveMixArgumentError } from '@wavemix/core';
import { torchBiasInitializer, torchKernelInitializer } from './initializers';
import { shapeList, singleShape, singleTensor, type Kwargs, type LayerArgs, type Shape } from './layer_utils';

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

/** The layer's input shapes: one NHWC input, or the two parts of a channel concatenation. */
function inputShapes(inputShape: Shape | Shape[], layer: string): Shape[] {
  const shapes = shapeList(inputShape);
  if (shapes.length === 1) return [singleShape(shapes[0]!, layer)];
  if (shapes.length !== 2) {
    throw new WaveMixArgumentError(
      layer,
      `expects one input or the two parts of a channel concatenation, got ${shapes.length}`,
    );
  }
  const [a, b] = shapes.map((shape) => singleShape(shape, layer)) as [Shape, Shape];
  for (let axis = 0; axis < 3; axis++) {
    if (a[axis] != null && b[axis] != null && a[axis] !== b[axis]) {
      throw new WaveMixArgumentError(
        layer,
        `cannot concatenate [${a.map(String).join(', ')}] and [${b.map(String).join(', ')}] on channels (axis ${axis} differs)`,
      );
    }
  }
  return [a, b];
}

/**
 * A feed-forward unit's `Conv1x1 -> GELU (exact) -> [Dropout] -> Conv1x1` as one layer for
 * inference (dropout is the identity there): `[b, h, w, cin] -> [b, h, w, outChannels]` through
 * @wavemix/core's `pointwiseMlp` (one fused kernel on wasm). Weights `w1 [cin, hidden]`,
 * `b1 [hidden]`, `w2 [hidden, out]`, `b2 [out]`: the two Conv2D kernels `[1, 1, in, out]`
 * reshaped, so an unfused unit's weights load as they are (see optimizeForInference).
 * Called on two tensors `[a, b]`, it is the unit on their channel concatenation (cin = both
 * parts' channels), which the wasm kernel reads in place instead of it being written out.
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
    // One input or two (set per input in build); build checks the ranks.
    this.inputSpec = null as unknown as typeof this.inputSpec;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shapes = inputShapes(inputShape, this.name);
    const channels = shapes.map((shape) => shape[3]);
    if (channels.some((c) => c == null)) {
      throw new WaveMixArgumentError(this.name, 'needs a known channel count (the last input dimension)');
    }
    const cin = (channels as number[]).reduce((a, b) => a + b, 0);
    const { hiddenChannels: hidden, outChannels: out } = this;
    // PyTorch's Conv2d initialisation, as the unfused unit's layers have it.
    this.w1 = this.addWeight('w1', [cin, hidden], 'float32', torchKernelInitializer());
    this.b1 = this.addWeight('b1', [hidden], 'float32', torchBiasInitializer(cin));
    this.w2 = this.addWeight('w2', [hidden, out], 'float32', torchKernelInitializer());
    this.b2 = this.addWeight('b2', [out], 'float32', torchBiasInitializer(hidden));
    this.inputSpec = (channels as number[]).map((c) => ({ ndim: 4, axes: { [-1]: c } }));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, h, w] = inputShapes(inputShape, this.name)[0]!;
    return [b ?? null, h ?? null, w ?? null, this.outChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) && inputs.length === 2 ? inputs : singleTensor(inputs, this.name);
    return tf.tidy(() => pointwiseMlp(x, this.w1!.read(), this.b1!.read(), this.w2!.read(), this.b2!.read()));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), hiddenChannels: this.hiddenChannels, outChannels: this.outChannels };
  }
}
serialization.registerClass(PointwiseMlp, 'WaveMix');
