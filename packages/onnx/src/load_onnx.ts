/**
 * `loadOnnx(bytesOrUrl)`: the `classify` / `segment` / `upscale` predictor of `@wavemix/models`'
 * `load()`, with the network run by onnxruntime. Pre- and post-processing are the tfjs helpers of
 * `@wavemix/models`; only the model call changes (NHWC <-> NCHW at the graph boundary).
 */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError, WaveMixError } from '@wavemix/core';
import {
  assertPredictorTask,
  inputDivisor,
  labelMap,
  preprocessImage,
  toRgbTensor,
  toUpscaledImage,
  topClasses,
  type Classification,
  type ImageInput,
  type Segmentation,
  type UpscaledImage,
  type WaveMixMetadata,
  type WaveMixTask,
} from '@wavemix/models';
import { WaveMixOnnxFormatError } from './errors';
import { parseOnnxMetadata } from './metadata';
import { onnx } from './proto';
import {
  importNodeBuiltin,
  importRuntime,
  isNode,
  type OrtModule,
  type OrtSession,
  type OrtSessionOptions,
} from './runtime';

type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface LoadOnnxOptions {
  /** onnxruntime execution providers, e.g. `['webgpu', 'wasm']`; defaults: Node `['cpu']`, browser WebGPU when present, then wasm. */
  executionProviders?: OrtSessionOptions['executionProviders'];
  /** onnxruntime graph optimizations (default `all`). */
  graphOptimizationLevel?: OrtSessionOptions['graphOptimizationLevel'];
  /** Other onnxruntime session options (threads, logging, ...). */
  sessionOptions?: OrtSessionOptions;
  /** An onnxruntime module to use instead of importing onnxruntime-node / onnxruntime-web. */
  runtime?: OrtModule;
  /** For ONNX files without WaveMix metadata_props: describe the model. */
  metadata?: WaveMixMetadata;
  /** Used for URLs (defaults to globalThis.fetch). */
  fetch?: FetchLike;
}

export class OnnxPredictor {
  private disposed = false;

  constructor(
    readonly session: OrtSession,
    readonly metadata: WaveMixMetadata,
    private readonly runtime: OrtModule,
  ) {}

  get task(): WaveMixTask {
    return this.metadata.config.task;
  }

  /** `[1, h, w, c]` model input (NHWC, as `@wavemix/models`' predictor makes it). */
  preprocess(image: ImageInput): tf.Tensor4D {
    return preprocessImage(image, this.metadata);
  }

  /** Runs the graph on an NHWC input; returns the output NHWC (rank 4) or as is (logits). Disposes `x`. */
  async predict(x: tf.Tensor4D): Promise<tf.Tensor> {
    const nchw = tf.transpose(x, [0, 3, 1, 2]);
    x.dispose();
    const data = Float32Array.from(await nchw.data());
    const dims = nchw.shape;
    nchw.dispose();
    const outputs = await this.session.run({
      [this.session.inputNames[0]!]: new this.runtime.Tensor('float32', data, dims),
    });
    const output = outputs[this.session.outputNames[0]!]!;
    const values = output.data as Float32Array;
    if (output.dims.length !== 4) return tf.tensor(values, [...output.dims]);
    return tf.tidy(() =>
      tf.transpose(tf.tensor4d(values, output.dims as [number, number, number, number]), [0, 2, 3, 1]),
    );
  }

  /** The `topK` most probable classes, most probable first. */
  async classify(image: ImageInput, topK = 5): Promise<Classification[]> {
    assertPredictorTask('classify', this.task, this.disposed);
    const logits = (await this.predict(this.preprocess(image))) as tf.Tensor2D;
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
    let input: tf.Tensor4D;
    try {
      input = this.preprocess(rgb);
    } finally {
      rgb.dispose();
    }
    const logits = (await this.predict(input)) as tf.Tensor4D;
    try {
      return await labelMap(logits, height, width, this.metadata);
    } finally {
      logits.dispose();
    }
  }

  /** The image at twice its size, as RGBA pixels. */
  async upscale(image: ImageInput): Promise<UpscaledImage> {
    assertPredictorTask('upscale', this.task, this.disposed);
    const output = (await this.predict(this.preprocess(image))) as tf.Tensor4D;
    try {
      return await toUpscaledImage(output, this.metadata);
    } finally {
      output.dispose();
    }
  }

  /** Runs the graph once so later calls do not pay for its set-up (WebGPU shaders, allocations). */
  async warmup(): Promise<void> {
    if (this.disposed) throw new WaveMixError('warmup(): this model has been disposed');
    const { config } = this.metadata;
    const side = Math.max(inputDivisor(config).divisor, 8);
    const [h, w] = config.inputSize ?? [side, side];
    (await this.predict(tf.zeros([1, h, w, config.inChannels]))).dispose();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}

async function readSource(
  source: Uint8Array | ArrayBuffer | string,
  fetchFn: FetchLike | undefined,
): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof source !== 'string')
    throw new WaveMixArgumentError('source', 'expected ONNX bytes, a URL or (in Node) a file path');
  if (isNode() && !/^https?:\/\//.test(source)) {
    const { readFile } = (await importNodeBuiltin('node:fs/promises')) as typeof import('node:fs/promises');
    const { fileURLToPath } = (await importNodeBuiltin('node:url')) as typeof import('node:url');
    const file = source.startsWith('file://') ? fileURLToPath(source) : source;
    try {
      return new Uint8Array(await readFile(file));
    } catch (error) {
      throw new WaveMixOnnxFormatError(file, `cannot read (${(error as Error).message})`);
    }
  }
  const fn = fetchFn ?? (globalThis.fetch as unknown as FetchLike | undefined);
  if (!fn) throw new WaveMixOnnxFormatError(source, 'no fetch() in this environment; pass options.fetch or the bytes');
  const response = await fn(source);
  if (!response.ok) throw new WaveMixOnnxFormatError(source, `fetching failed with HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function defaultProviders(): NonNullable<OrtSessionOptions['executionProviders']> {
  if (isNode()) return ['cpu'];
  const hasWebGpu = typeof navigator !== 'undefined' && 'gpu' in navigator;
  return hasWebGpu ? ['webgpu', 'wasm'] : ['wasm'];
}

/**
 * Loads an ONNX model (bytes, a URL, or in Node a file path) exported by `exportOnnx` into
 * onnxruntime and returns a predictor with the API of `@wavemix/models`' `load()`. The WaveMix
 * metadata comes from the file's `metadata_props` (or `options.metadata`).
 */
export async function loadOnnx(
  source: Uint8Array | ArrayBuffer | string,
  options: LoadOnnxOptions = {},
): Promise<OnnxPredictor> {
  const name = typeof source === 'string' ? source : 'ONNX bytes';
  const bytes = await readSource(source, options.fetch);
  let metadata = options.metadata;
  if (!metadata) {
    let props: Parameters<typeof parseOnnxMetadata>[0];
    try {
      props = onnx.ModelProto.decode(bytes).metadataProps;
    } catch (error) {
      throw new WaveMixOnnxFormatError(name, `not an ONNX ModelProto (${(error as Error).message})`);
    }
    metadata = parseOnnxMetadata(props, name);
  }
  const runtime = options.runtime ?? (await importRuntime());
  const session = await runtime.InferenceSession.create(bytes, {
    ...options.sessionOptions,
    executionProviders: options.executionProviders ?? defaultProviders(),
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
  });
  return new OnnxPredictor(session, metadata, runtime);
}
