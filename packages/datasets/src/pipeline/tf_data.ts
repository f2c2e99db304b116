import type * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import type { DataPipeline } from './pipeline';

/**
 * The pipeline as a `tf.data.Dataset` of `{xs, ys}` for `model.fitDataset`: each iteration of the
 * dataset (each `fitDataset` epoch) delivers the pipeline's next epoch, so the pipeline's
 * `state()` stays valid for checkpoints. Element tensors are owned by the consumer.
 */
export function toTfDataset(pipeline: DataPipeline): tfd.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }> {
  return tfd.generator(async function* () {
    for await (const { xs, ys } of pipeline.epochBatches()) yield { xs, ys };
  } as unknown as () => AsyncIterator<{ xs: tf.Tensor; ys: tf.Tensor }>);
}
