import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';
import { batchNormTraining, WaveMixError } from '@wavemix/core';
import { type Kwargs, singleTensor } from './layer_utils';

type StockBatchNormalization = ReturnType<typeof layers.batchNormalization>;
export type BatchNormalizationArgs = NonNullable<Parameters<typeof layers.batchNormalization>[0]>;

/** A tfjs-layers LayerVariable, as far as the moving averages use it. */
interface LayerVariableLike {
  read(): tf.Tensor;
  write(value: tf.Tensor): unknown;
}

/**
 * The stock layer's fields this subclass reads. tfjs-layers declares them private; the test
 * `batch_norm_layer.test.ts` trains this layer beside the stock one, so a rename fails there.
 */
interface StockFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariableLike | null;
  beta: LayerVariableLike | null;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
}

/** tfjs-layers' BatchNormalization class: registered for deserialization, not exported. */
function stockBatchNormalizationClass(): new (args?: BatchNormalizationArgs) => StockBatchNormalization {
  const entry = serialization.SerializationMap.getMap().classNameMap['BatchNormalization'];
  if (!entry)
    throw new WaveMixError(
      'tfjs-layers has not registered its BatchNormalization layer (import @tensorflow/tfjs-layers first)',
    );
  return entry[0] as unknown as new (
    args?: BatchNormalizationArgs,
  ) => StockBatchNormalization;
}

/** The stock layer's moving-average update, `v <- v - (v - value) (1 - momentum)`, op for op. */
function updateMovingAverage(variable: LayerVariableLike, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}

/**
 * tfjs-layers' BatchNormalization with its training pass on @wavemix/core's `batchNormTraining`:
 * where the backend has the kernels (wasm), the batch statistics and y take one kernel and the
 * gradient one more, instead of tf.moments + tf.batchNorm (five kernels forward, about fifteen
 * backward, and x - mean and its square kept for the backward pass). Elsewhere the op is that same
 * composite, so the values are the stock layer's on every backend.
 *
 * It is the stock layer in every other respect: the same weights, config and moving averages,
 * and the same class name, so a saved model loads anywhere as a plain BatchNormalization (which
 * computes the same function). It is not registered for deserialization on import: that would
 * replace the stock class for every model in the process (`registerWaveMixBatchNormalization` does
 * it where that is wanted).
 */
export class WaveMixBatchNormalization extends stockBatchNormalizationClass() {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const training = kwargs['training'] == null ? false : kwargs['training'];
    const x = singleTensor(inputs, this.name);
    const stock = this as unknown as StockFields;
    const lastAxis = stock.axis === -1 || stock.axis === x.rank - 1;
    if (
      !training ||
      !lastAxis ||
      !stock.center ||
      !stock.scale ||
      x.dtype !== 'float32' ||
      x.rank < 2 ||
      x.size === 0
    ) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(x, stock.gamma!.read(), stock.beta!.read(), stock.epsilon);
      updateMovingAverage(stock.movingMean, mean, stock.momentum);
      updateMovingAverage(stock.movingVariance, variance, stock.momentum);
      return y;
    });
  }
}

/** A BatchNormalization layer with the fused training pass (see WaveMixBatchNormalization). */
export function waveMixBatchNormalization(args?: BatchNormalizationArgs): WaveMixBatchNormalization {
  return new WaveMixBatchNormalization(args);
}

/**
 * Has every BatchNormalization deserialized in this JavaScript context from now on
 * (`tf.loadLayersModel`, `tf.models.modelFromJSON`) built as a WaveMixBatchNormalization: the same
 * function and weights, with the fused training pass. For a context that trains models it
 * deserializes, such as @wavemix/parallel's workers, which rebuild the main thread's model from its
 * JSON. It replaces tfjs-layers' registration for the whole context (a worker has its own), so a
 * library should not call it on import. Returns a function that puts the previous class back.
 */
export function registerWaveMixBatchNormalization(): () => void {
  const map = serialization.SerializationMap.getMap().classNameMap;
  const previous = map['BatchNormalization']!;
  // tfjs' static fromConfig is generic (`new cls(config)`): the stock entry's serves our class too.
  map['BatchNormalization'] = [WaveMixBatchNormalization as unknown as (typeof previous)[0], previous[1]];
  return () => {
    map['BatchNormalization'] = previous;
  };
}
