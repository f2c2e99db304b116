import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `body` on `info` as a Tensor. The engine hands kernels the tensors the op was called with;
 * a bare TensorInfo (from another kernel) is wrapped, and the wrapper released, inside a tidy.
 * Like tfjs-node's own kernels, ours return Tensors, which the engine accepts as outputs.
 */
export function withTensor<T extends tf.Tensor | tf.Tensor[]>(info: tf.TensorInfo, body: (x: tf.Tensor4D) => T): T {
  if (info instanceof tf.Tensor) return body(info as tf.Tensor4D);
  return tf.tidy(() => body(tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor4D));
}
