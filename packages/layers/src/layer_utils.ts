import type * as tf from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError } from '@wavemix/core';

/** The constructor arguments every tfjs-layers Layer accepts (name, trainable, inputShape, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
/** tfjs-layers' shape type: `null` marks an unknown (batch or spatial) size. */
export type Shape = Array<number | null>;
// biome-ignore lint/suspicious/noExplicitAny: tfjs-layers' own kwargs type
export type Kwargs = { [key: string]: any };

/** The single tensor a one-input layer was called with (Keras passes one-element lists too). */
export function singleTensor(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) {
      throw new WaveMixArgumentError(layer, `expects exactly one input tensor, got ${inputs.length}`);
    }
    return inputs[0]!;
  }
  return inputs;
}

/** The input shapes a layer is built or called with, as a list (tfjs passes one shape bare). */
export function shapeList(inputShape: Shape | Shape[]): Shape[] {
  return Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : [inputShape as Shape];
}

/** The single rank-4 NHWC shape a one-input layer was built for. */
export function singleShape(inputShape: Shape | Shape[], layer: string): Shape {
  const shape = shapeList(inputShape);
  if (shape.length !== 1) {
    throw new WaveMixArgumentError(layer, `expects exactly one input, got ${shape.length}`);
  }
  const only = shape[0]!;
  if (only.length !== 4) {
    throw new WaveMixArgumentError(
      layer,
      `expects rank-4 NHWC input [batch, height, width, channels], got shape [${only.map(String).join(', ')}]`,
    );
  }
  return only;
}
