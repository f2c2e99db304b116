/**
 * Pre- and post-processing of the inference API, apart from any engine: `WaveMixPredictor` runs
 * them around a tfjs model, `@wavemix/onnx` around an onnxruntime session. Tensors are NHWC;
 * the caller owns (and disposes) the tensors it passes in.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError, WaveMixError } from '@wavemix/core';
import { assertInputSize, type WaveMixTask } from '../config';
import type { WaveMixMetadata } from '../metadata';
import { rgbToGray, rgbToYCbCr, toRgbTensor, yCbCrToRgb, type ImageInput } from './image';
import type { Classification, Segmentation, UpscaledImage } from './predictor';

/** `[1, h, w, c]` model input for an image: colour space, resize to the input size, normalisation. */
/** The tasks each predictor method serves, shared by every engine's predictor. */
export const PREDICTOR_TASKS = {
  classify: ['classification'],
  segment: ['segmentation'],
  upscale: ['sisr', 'wavemix-sr', 'wavemix-sr-v2'],
} as const satisfies Record<string, readonly WaveMixTask[]>;

/** Throws unless the predictor is alive and its model's task is one `method` serves. */
export function assertPredictorTask(method: keyof typeof PREDICTOR_TASKS, task: WaveMixTask, disposed: boolean): void {
  if (disposed) throw new WaveMixError(`${method}(): this model has been disposed`);
  const tasks: readonly WaveMixTask[] = PREDICTOR_TASKS[method];
  if (!tasks.includes(task)) {
    throw new WaveMixError(`${method}() needs a ${tasks.join(' or ')} model; this one is '${task}'`);
  }
}

export function preprocessImage(image: ImageInput, metadata: WaveMixMetadata): tf.Tensor4D {
  const { config, preprocessing } = metadata;
  return tf.tidy(() => {
    const rgb = toRgbTensor(image);
    let x: tf.Tensor3D =
      preprocessing.colorSpace === 'grayscale'
        ? rgbToGray(rgb)
        : preprocessing.colorSpace === 'ycbcr'
          ? (rgbToYCbCr(rgb) as tf.Tensor3D)
          : rgb;
    if (x.shape[2] !== config.inChannels) {
      throw new WaveMixArgumentError(
        'image',
        `preprocessing '${preprocessing.colorSpace}' gives ${x.shape[2]} channels but the model takes ${config.inChannels}; call model.predict() with your own input`,
      );
    }
    if (config.inputSize) {
      const [h, w] = config.inputSize;
      if (x.shape[0] !== h || x.shape[1] !== w) x = tf.image.resizeBilinear(x, [h, w], false, true);
    } else {
      assertInputSize(config, [x.shape[0], x.shape[1]]);
    }
    const scaled = tf.div(x, 255);
    const normalised = tf.div(tf.sub(scaled, tf.tensor1d(preprocessing.mean)), tf.tensor1d(preprocessing.std));
    return tf.expandDims(normalised, 0) as tf.Tensor4D;
  });
}

/** The `topK` most probable classes of `[1, numClasses]` logits, most probable first. */
export async function topClasses(
  logits: tf.Tensor2D,
  topK: number,
  metadata: WaveMixMetadata,
): Promise<Classification[]> {
  const numClasses = metadata.config.numClasses!;
  const k = Math.max(1, Math.min(Math.floor(topK), numClasses));
  const { values, indices } = tf.tidy(() => tf.topk(tf.softmax(logits), k));
  const [probabilities, classes] = await Promise.all([values.data(), indices.data()]);
  tf.dispose([values, indices]);
  const names = metadata.classNames;
  return Array.from(classes, (index, i) => ({
    className: names?.[index] ?? `class ${index}`,
    probability: probabilities[i]!,
  }));
}

/** Class index per pixel of `[1, h, w, numClasses]` logits, resized to the image's `height` x `width`. */
export async function labelMap(
  logits: tf.Tensor4D,
  height: number,
  width: number,
  metadata: WaveMixMetadata,
): Promise<Segmentation> {
  const labels = tf.tidy(() => {
    const resized =
      logits.shape[1] === height && logits.shape[2] === width
        ? logits
        : tf.image.resizeBilinear(logits, [height, width], false, true);
    return tf.squeeze(tf.argMax(resized, -1), [0]) as tf.Tensor2D;
  });
  const data = (await labels.data()) as Int32Array;
  labels.dispose();
  const numClasses = metadata.config.numClasses!;
  const classNames = metadata.classNames ?? Array.from({ length: numClasses }, (_, i) => `class ${i}`);
  return { width, height, labels: Int32Array.from(data), numClasses, classNames };
}

/** A `[1, 2h, 2w, c]` super-resolution output as RGBA pixels (preprocessing undone, colour space back to RGB). */
export async function toUpscaledImage(output: tf.Tensor4D, metadata: WaveMixMetadata): Promise<UpscaledImage> {
  const { preprocessing } = metadata;
  const rgba = tf.tidy(() => {
    const y = tf.squeeze(output, [0]) as tf.Tensor3D;
    const scaled = tf.add(tf.mul(y, tf.tensor1d(preprocessing.std)), tf.tensor1d(preprocessing.mean));
    const rgb =
      preprocessing.colorSpace === 'ycbcr'
        ? yCbCrToRgb(scaled, 1)
        : preprocessing.colorSpace === 'grayscale'
          ? tf.tile(scaled, [1, 1, 3])
          : scaled;
    const bytes = tf.round(tf.mul(tf.clipByValue(rgb, 0, 1), 255));
    const alpha = tf.fill([y.shape[0], y.shape[1], 1], 255);
    return tf.cast(tf.concat([bytes, alpha], -1), 'int32') as tf.Tensor3D;
  });
  const [height, width] = rgba.shape;
  const data = new Uint8ClampedArray(await rgba.data());
  rgba.dispose();
  return { data, width, height };
}
