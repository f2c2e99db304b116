/**
 * A loaded model runs either in tfjs (`WaveMixPredictor`, a LayersModel on the active backend) or
 * in onnxruntime-web (`OnnxPredictor`, an `.onnx` file). Both have the same classify / segment /
 * upscale / preprocess API and metadata; only tfjs has layers (feature maps). These helpers are
 * what the panels use where the two differ.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { WaveMixPredictor } from '@wavemix/models';
import type { OnnxPredictor } from '@wavemix/onnx';

export type Predictor = WaveMixPredictor | OnnxPredictor;

/** The tfjs LayersModel, or null for a model run by onnxruntime. */
export function layersModelOf(predictor: Predictor): LayersModel | null {
  return 'model' in predictor ? predictor.model : null;
}

/** The raw network output (logits, or NHWC maps) for a preprocessed `[1, h, w, c]` input, which stays the caller's. */
export function runNetwork(predictor: Predictor, x: tf.Tensor4D): Promise<tf.Tensor> {
  // The inference graph load() built (fused MLPs, no Dropout), as classify() uses; the model as
  // built stays what layersModelOf gives the feature maps.
  if ('inferenceModel' in predictor) return Promise.resolve(predictor.inferenceModel.predict(x) as tf.Tensor);
  // OnnxPredictor.predict disposes its input.
  return (predictor as OnnxPredictor).predict(tf.clone(x));
}

/** Frees the model; an onnxruntime session is released asynchronously (errors of a gone backend ignored). */
export function disposePredictor(predictor: Predictor): void {
  try {
    void Promise.resolve(predictor.dispose()).catch(() => {});
  } catch {
    // Its backend may be gone (a lost GPU context): nothing left to free.
  }
}
