import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { channelAffine, WaveMixArgumentError } from '@wavemix/core';
import { type Kwargs, type LayerArgs, type Shape, shapeList } from './layer_utils';

/** One input shape, or the input's and the residual's (which must agree). */
function inputShapes(inputShape: Shape | Shape[], layer: string): Shape[] {
  const shapes = shapeList(inputShape);
  if (shapes.length !== 1 && shapes.length !== 2) {
    throw new WaveMixArgumentError(layer, `expects an input and optionally a residual, got ${shapes.length} inputs`);
  }
  const [x, residual] = shapes as [Shape, Shape | undefined];
  if (residual && (residual.length !== x.length || residual.some((d, i) => d != null && x[i] != null && d !== x[i]))) {
    throw new WaveMixArgumentError(
      layer,
      `the residual's shape [${residual.map(String).join(', ')}] differs from the input's [${x.map(String).join(', ')}]`,
    );
  }
  return shapes;
}

/**
 * `x * scale + shift` per channel (the last axis), plus a residual when called on `[x, residual]`:
 * a convolution's bias, the inference BatchNormalization after it and a block's residual add as
 * one layer, through @wavemix/core's `channelAffine` (one pass on wasm). Weights `scale` and
 * `shift` [channels]. `optimizeForInference` (@wavemix/models) puts it in; at inference it is the
 * same function as those layers, and it has no moving statistics to train.
 */
export class ChannelAffine extends layers.Layer {
  static className = 'ChannelAffine';
  private scale: LayerVariable | null = null;
  private shift: LayerVariable | null = null;

  constructor(args: LayerArgs = {}) {
    super(args);
    // One input or two (the residual); build checks them.
    this.inputSpec = null as unknown as typeof this.inputSpec;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [x] = inputShapes(inputShape, this.name);
    const channels = x![x!.length - 1];
    if (channels == null) {
      throw new WaveMixArgumentError(this.name, 'needs a known channel count (the last input dimension)');
    }
    this.scale = this.addWeight('scale', [channels], 'float32', initializers.ones());
    this.shift = this.addWeight('shift', [channels], 'float32', initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShapes(inputShape, this.name)[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const [x, residual] = Array.isArray(inputs) ? inputs : [inputs];
    if (Array.isArray(inputs) && inputs.length > 2) {
      throw new WaveMixArgumentError(this.name, `expects an input and optionally a residual, got ${inputs.length}`);
    }
    return tf.tidy(() => channelAffine(x!, this.scale!.read(), this.shift!.read(), residual));
  }
}
serialization.registerClass(ChannelAffine, 'WaveMix');
