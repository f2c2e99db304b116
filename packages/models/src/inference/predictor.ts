/**
 * The inference API in the style of tfjs-models: `load(...)` returns a predictor with
 * `classify`, `segment`, `upscale`, `warmup` and `dispose`. Preprocessing (colour space, resize
 * to the model's input size, normalisation) comes from the WaveMix metadata the model carries.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError, WaveMixError } from '@wavemix/core';
import { inputDivisor, type WaveMixTask } from '../config';
import { createModel } from '../create_model';
import { getWaveMixMetadata, type WaveMixMetadata } from '../metadata';
import { loadPyTorchWeights } from '../pytorch/bridge';
import { getModelInfo, listModels } from '../registry';
import { toRgbTensor, type ImageInput } from './image';
import { LOAD_REWRITE_RULES, optimizeForInference, type RewriteRule } from './optimize';
import { assertPredictorTask, labelMap, preprocessImage, toUpscaledImage, topClasses } from './processing';
import {
  WaveMixWeightsError,
  describeCause,
  mirroredUrl,
  readCheckpoint,
  verifyCheckpoint,
  weightsBaseUrlFromEnv,
  type FetchLike,
} from './weights';

export interface Classification {
  className: string;
  probability: number;
}

export interface Segmentation {
  width: number;
  height: number;
  /** Class index of each pixel, row-major, at the input image's size. */
  labels: Int32Array;
  numClasses: number;
  classNames: string[];
}

/** RGBA pixels (ready for `new ImageData(data, width, height)`). */
export interface UpscaledImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export interface LoadOptions {
  /**
   * For a registry name: the PyTorch state_dict to load: bytes, a URL to fetch, or (Node) a file
   * path or `file://` URL. Defaults to the entry's published checkpoint; `null` keeps freshly
   * initialised weights.
   */
  weights?: Uint8Array | ArrayBuffer | string | null;
  /**
   * A mirror of the official checkpoints (URL, or a folder in Node) with the same layout, e.g.
   * `<base>/cifar10/cifar10_94.58.pth`; defaults to the `WAVEMIX_WEIGHTS_BASE_URL` environment variable.
   */
  weightsBaseUrl?: string;
  /**
   * Expected SHA-256 (hex) of the checkpoint; defaults to the registry's for its published
   * checkpoint. `null` skips the check.
   */
  sha256?: string | null;
  /** For models without WaveMix metadata (saved elsewhere): describe them. */
  metadata?: WaveMixMetadata;
  /** Used to fetch weight URLs (defaults to globalThis.fetch). */
  fetch?: FetchLike;
  /**
   * Predict with an inference graph of the model (`optimizeForInference`): same outputs, fewer
   * layers. Default `true`: LOAD_REWRITE_RULES (Dropout removed, each feed-forward unit's
   * Conv1x1 -> GELU -> Conv1x1 fused), which reuse the model's weights. A rule list, e.g.
   * INFERENCE_REWRITE_RULES, also folds BatchNorm into the convs (new weights beside the model's).
   * `false` predicts with `predictor.model` itself, which is always the model as built or loaded.
   */
  optimize?: boolean | readonly RewriteRule[];
}

export class WaveMixPredictor {
  private disposed = false;
  /** The model predictions run on: `optimizeForInference(model)` from load(), or `model` itself. */
  readonly inferenceModel: LayersModel;

  /**
   * @param model The model as built or loaded (layers, weights and exports come from it).
   * @param inferenceModel A model computing the same outputs to predict with (default `model`);
   *   the predictor owns both and disposes both.
   */
  constructor(
    readonly model: LayersModel,
    readonly metadata: WaveMixMetadata,
    inferenceModel?: LayersModel,
  ) {
    this.inferenceModel = inferenceModel ?? model;
  }

  get task(): WaveMixTask {
    return this.metadata.config.task;
  }

  /** `[1, h, w, c]` model input for an image: colour space, resize to the input size, normalisation. */
  preprocess(image: ImageInput): tf.Tensor4D {
    return preprocessImage(image, this.metadata);
  }

  /** The `topK` most probable classes, most probable first. */
  async classify(image: ImageInput, topK = 5): Promise<Classification[]> {
    assertPredictorTask('classify', this.task, this.disposed);
    const logits = tf.tidy(() => this.inferenceModel.predict(this.preprocess(image)) as tf.Tensor2D);
    try {
      return await topClasses(logits, topK, this.metadata);
    } finally {
      logits.dispose();
    }
  }

  /** Per-pixel class indices at the image's own size. */
  async segment(image: ImageInput): Promise<Segmentation> {
    assertPredictorTask('segment', this.task, this.disposed);
    const rgb = toRgbTensor(image);
    const [height, width] = rgb.shape;
    let logits: tf.Tensor4D;
    try {
      logits = tf.tidy(() => this.inferenceModel.predict(this.preprocess(rgb)) as tf.Tensor4D);
    } finally {
      rgb.dispose();
    }
    try {
      return await labelMap(logits, height, width, this.metadata);
    } finally {
      logits.dispose();
    }
  }

  /** The image upscaled by the model's factor (2x; WaveMixSR and WaveMixSR-V2: `config.scale`), as RGBA pixels. */
  async upscale(image: ImageInput): Promise<UpscaledImage> {
    assertPredictorTask('upscale', this.task, this.disposed);
    const output = tf.tidy(() => this.inferenceModel.predict(this.preprocess(image)) as tf.Tensor4D);
    try {
      return await toUpscaledImage(output, this.metadata);
    } finally {
      output.dispose();
    }
  }

  /** Runs the model once so later calls do not pay for kernel set-up. */
  async warmup(): Promise<void> {
    if (this.disposed) throw new WaveMixError('warmup(): this model has been disposed');
    const { config } = this.metadata;
    const side = Math.max(inputDivisor(config).divisor, 8);
    const [h, w] = config.inputSize ?? [side, side];
    const out = tf.tidy(() => this.inferenceModel.predict(tf.zeros([1, h, w, config.inChannels])) as tf.Tensor);
    await out.data();
    out.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.inferenceModel !== this.model) this.inferenceModel.dispose();
    this.model.dispose();
  }
}

const isRegistryName = (source: string) => listModels().some((m) => m.name === source);

/** A registry model's checkpoint bytes (checked when their size or hash is known); null for untrained weights. */
async function registryCheckpoint(
  name: string,
  options: LoadOptions,
): Promise<{ bytes: Uint8Array | ArrayBuffer; source: string } | null> {
  const info = getModelInfo(name);
  if (options.weights === null) return null;
  if (options.weights !== undefined && typeof options.weights !== 'string')
    return { bytes: options.weights, source: name };
  let location = options.weights;
  if (location === undefined) {
    if (!info.weightsUrl) {
      throw new WaveMixArgumentError(
        'weights',
        `'${name}' has no published checkpoint; pass options.weights (state_dict bytes, URL or file path), or null for untrained weights`,
      );
    }
    const base = options.weightsBaseUrl ?? weightsBaseUrlFromEnv();
    location = base ? mirroredUrl(info.weightsUrl, base) : info.weightsUrl;
  }
  const bytes = await readCheckpoint(location, options.fetch);
  // The registry's size and hash describe its published checkpoint, not a file the caller picked.
  const published = options.weights === undefined;
  const sha256 = options.sha256 === null ? undefined : (options.sha256 ?? (published ? info.weightsSha256 : undefined));
  await verifyCheckpoint(bytes, { bytes: published ? info.weightsBytes : undefined, sha256 }, location);
  return { bytes, source: location };
}

/**
 * Loads a WaveMix model for inference:
 * - a registry name (`listModels()`): builds it and loads PyTorch weights (`options.weights`, or
 *   the entry's published checkpoint, from `options.weightsBaseUrl` / `WAVEMIX_WEIGHTS_BASE_URL`
 *   when set); a checkpoint that cannot be fetched or read, or fails its size or SHA-256 check,
 *   throws `WaveMixWeightsError` naming the URL or path (with the original error as `cause`);
 * - a tfjs model URL (`https://.../model.json`, `indexeddb://...`, ...) or an `io.IOHandler`:
 *   `tf.loadLayersModel`, then the WaveMix metadata saved with it (or `options.metadata`).
 */
export async function load(source: string | tf.io.IOHandler, options: LoadOptions = {}): Promise<WaveMixPredictor> {
  let model: LayersModel;
  if (typeof source === 'string' && isRegistryName(source)) {
    // The checkpoint first: a network or file problem fails before a large model is built.
    const checkpoint = await registryCheckpoint(source, options);
    model = createModel(source);
    if (checkpoint) {
      try {
        loadPyTorchWeights(model, checkpoint.bytes, { source: checkpoint.source });
      } catch (error) {
        model.dispose();
        throw error;
      }
    }
  } else if (typeof source === 'string' || (source && typeof source === 'object' && 'load' in source)) {
    if (typeof source === 'string' && !source.includes('://')) {
      throw new WaveMixArgumentError(
        'source',
        `${JSON.stringify(source)} is neither a registry name (listModels()) nor a URL`,
      );
    }
    try {
      model = await loadLayersModel(source);
    } catch (error) {
      // A model URL that cannot be fetched gets the same named error as a checkpoint.
      if (typeof source !== 'string' || !/^https?:\/\//i.test(source)) throw error;
      throw new WaveMixWeightsError(source, `loading the model failed: ${describeCause(error)}`, error);
    }
  } else {
    throw new WaveMixArgumentError('source', 'expected a registry name, a model URL or an io.IOHandler');
  }
  const metadata = options.metadata ?? getWaveMixMetadata(model);
  if (!metadata) {
    model.dispose();
    throw new WaveMixError('this model carries no WaveMix metadata; pass options.metadata to describe it');
  }
  // A Sequential (or other non-functional) model predicts as it is.
  if (options.optimize === false || model.getClassName() !== 'Model') return new WaveMixPredictor(model, metadata);
  let inferenceModel: LayersModel;
  try {
    inferenceModel = optimizeForInference(model, {
      rules: options.optimize === undefined || options.optimize === true ? LOAD_REWRITE_RULES : options.optimize,
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return new WaveMixPredictor(model, metadata, inferenceModel);
}
