/**
 * The PyTorch bridge: maps each weight of a WaveMix model to its official state_dict key and
 * layout, loads state dicts into models and exports models as state dicts. Layers carry the
 * PyTorch module path as their name, so the map is `layer.name + '.' + parameter` with the
 * layout changes of specification §5 (docs/specification.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError, writeSafetensors, type SafetensorsInput } from '@wavemix/core';
import { WaveMixStateDictError, type ShapeMismatch } from '../errors';
import { openStateDict, type StateDictFormat } from './state_dict';

/** One model weight and the state_dict entry it corresponds to. */
export interface TorchParameter {
  /** state_dict key, e.g. `layers.0.feedforward1.4.weight`. */
  key: string;
  variable: LayerVariable;
  trainable: boolean;
  tfjsShape: number[];
  torchShape: number[];
  /** torch axis i is tfjs axis `toTorchAxes[i]`; null when the layouts agree. */
  toTorchAxes: number[] | null;
}

/** Conv2d (out, in, kh, kw) <-> tfjs (kh, kw, in, out); ConvTranspose2d (in, out, kh, kw) <-> tfjs (kh, kw, out, in): both [3, 2, 0, 1]. */
const CONV_AXES = [3, 2, 0, 1];
const DENSE_AXES = [1, 0];

const NAMES: Record<string, Record<string, { suffix: string; axes: number[] | null }>> = {
  Conv2D: { kernel: { suffix: 'weight', axes: CONV_AXES }, bias: { suffix: 'bias', axes: null } },
  Conv2DTranspose: { kernel: { suffix: 'weight', axes: CONV_AXES }, bias: { suffix: 'bias', axes: null } },
  Dense: { kernel: { suffix: 'weight', axes: DENSE_AXES }, bias: { suffix: 'bias', axes: null } },
  BatchNormalization: {
    gamma: { suffix: 'weight', axes: null },
    beta: { suffix: 'bias', axes: null },
    moving_mean: { suffix: 'running_mean', axes: null },
    moving_variance: { suffix: 'running_var', axes: null },
  },
};

/** Every weight of the model with its state_dict key and layout, in layer order. */
export function pytorchParameters(model: LayersModel): TorchParameter[] {
  const out: TorchParameter[] = [];
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const className = layer.getClassName();
    const names = NAMES[className];
    if (!names) {
      throw new WaveMixArgumentError(
        'model',
        `layer '${layer.name}' (${className}) has weights the PyTorch bridge cannot map`,
      );
    }
    for (const variable of layer.weights) {
      const parameter = variable.originalName.split('/').pop()!;
      const mapping = names[parameter];
      if (!mapping) {
        throw new WaveMixArgumentError(
          'model',
          `weight '${variable.originalName}' of ${className} '${layer.name}' has no PyTorch counterpart`,
        );
      }
      const tfjsShape = [...variable.shape] as number[];
      const torchShape = mapping.axes ? mapping.axes.map((axis) => tfjsShape[axis]!) : tfjsShape;
      out.push({
        key: `${layer.name}.${mapping.suffix}`,
        variable,
        trainable: variable.trainable,
        tfjsShape,
        torchShape,
        toTorchAxes: mapping.axes,
      });
    }
  }
  return out;
}

/** Transposes row-major `data` of `shape` so that output axis i is input axis `axes[i]`. */
export function transposeData(
  data: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
): Float32Array {
  const rank = shape.length;
  const outShape = axes.map((a) => shape[a]!);
  const inStrides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    inStrides[axis] = stride;
    stride *= shape[axis]!;
  }
  const strides = axes.map((a) => inStrides[a]!);
  const out = new Float32Array(stride);
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = data[source]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      source += strides[axis]!;
      if (++index[axis]! < outShape[axis]!) break;
      source -= strides[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

function inverseAxes(axes: readonly number[]): number[] {
  const inverse = new Array<number>(axes.length);
  axes.forEach((axis, i) => {
    inverse[axis] = i;
  });
  return inverse;
}

/** tfjs-layout values of a parameter -> PyTorch layout (e.g. gradients for comparison). */
export function toTorchLayout(parameter: TorchParameter, data: ArrayLike<number>): Float32Array {
  return parameter.toTorchAxes
    ? transposeData(data, parameter.tfjsShape, parameter.toTorchAxes)
    : Float32Array.from(data);
}

/** PyTorch-layout values -> tfjs layout. */
export function fromTorchLayout(parameter: TorchParameter, data: ArrayLike<number>): Float32Array {
  return parameter.toTorchAxes
    ? transposeData(data, parameter.torchShape, inverseAxes(parameter.toTorchAxes))
    : Float32Array.from(data);
}

export interface LoadPyTorchOptions {
  /** Default true: any missing key, unexpected key or shape mismatch throws (one error lists them all). */
  strict?: boolean;
  /** File name for error messages. */
  source?: string;
  /**
   * Budget in bytes for the float32 values read (only keys the model expects are read) and,
   * separately, for bytes inflated from a deflated `.pth`. Default: twice the model's own
   * parameter bytes. Exceeding it throws `WaveMixBudgetError` before the allocation.
   */
  maxBytes?: number;
}

export interface LoadReport {
  format: StateDictFormat;
  loaded: string[];
  missing: string[];
  unexpected: string[];
  mismatched: ShapeMismatch[];
  /** Keys deliberately skipped (BatchNorm `num_batches_tracked`). */
  ignored: string[];
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Loads a PyTorch state_dict (safetensors bytes or a torch.save `.pth` zip; the format is
 * detected from the bytes) into a model from `createModel`. Accepts a `module.` prefix and
 * `{state_dict: ...}` / `{model: ...}` wrappers; ignores `num_batches_tracked`. Keys, shapes and
 * strictness are checked from the validated tensor records alone; then only the expected
 * tensors are read, within `maxBytes`.
 */
export function loadPyTorchWeights(
  model: LayersModel,
  bytes: Uint8Array | ArrayBuffer,
  options: LoadPyTorchOptions = {},
): LoadReport {
  const parameters = pytorchParameters(model);
  const parameterBytes = parameters.reduce((sum, p) => sum + 4 * p.tfjsShape.reduce((a, b) => a * b, 1), 0);
  const { strict = true, source, maxBytes = 2 * parameterBytes } = options;
  const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  const stateDict = openStateDict(data, { source, maxBytes });
  const expected = new Map(parameters.map((p) => [p.key, p]));
  const report: LoadReport = {
    format: stateDict.format,
    loaded: [],
    missing: [],
    unexpected: [],
    mismatched: [],
    ignored: [],
  };
  for (const [key, tensor] of stateDict.records) {
    const parameter = expected.get(key);
    if (!parameter) {
      if (key.endsWith('.num_batches_tracked')) report.ignored.push(key);
      else report.unexpected.push(key);
    } else if (!sameShape(parameter.torchShape, tensor.shape)) {
      report.mismatched.push({ key, expected: parameter.torchShape, got: tensor.shape });
    }
  }
  for (const key of expected.keys()) if (!stateDict.records.has(key)) report.missing.push(key);
  if (strict && (report.missing.length || report.unexpected.length || report.mismatched.length)) {
    throw new WaveMixStateDictError(report.missing, report.unexpected, report.mismatched, source);
  }
  const mismatchedKeys = new Set(report.mismatched.map((m) => m.key));
  const tensors = stateDict.read(parameters.map((p) => p.key).filter((key) => !mismatchedKeys.has(key)));
  for (const parameter of parameters) {
    const tensor = tensors.get(parameter.key);
    if (!tensor || mismatchedKeys.has(parameter.key)) continue;
    const values = fromTorchLayout(parameter, tensor.data);
    tf.tidy(() => {
      parameter.variable.write(tf.tensor(values, parameter.tfjsShape, 'float32'));
    });
    report.loaded.push(parameter.key);
  }
  return report;
}

export interface ExportPyTorchOptions {
  /** Write BatchNorm `num_batches_tracked` (int64 0), as `model.state_dict()` has it. Default true. */
  numBatchesTracked?: boolean;
}

/**
 * The model's weights as a PyTorch state_dict in safetensors format: official key names and
 * layouts, loadable with `model.load_state_dict(safetensors.torch.load_file(path), strict=True)`.
 * Synchronous: it reads the weights with `dataSync()`, which blocks a WebGL page and throws on
 * WebGPU in Node; use {@link exportPyTorchWeightsAsync} there (and anywhere a promise is fine).
 */
export function exportPyTorchWeights(model: LayersModel, options: ExportPyTorchOptions = {}): Uint8Array {
  const parameters = pytorchParameters(model);
  // sync-read: exportPyTorchWeights is the documented synchronous API (cpu/wasm/tensorflow callers).
  const values = parameters.map((parameter) => parameter.variable.read().dataSync());
  return stateDictSafetensors(parameters, values, options);
}

/** {@link exportPyTorchWeights} with asynchronous reads: works on every backend, WebGPU included. */
export async function exportPyTorchWeightsAsync(
  model: LayersModel,
  options: ExportPyTorchOptions = {},
): Promise<Uint8Array> {
  const parameters = pytorchParameters(model);
  const values = await Promise.all(parameters.map((parameter) => parameter.variable.read().data()));
  return stateDictSafetensors(parameters, values, options);
}

function stateDictSafetensors(
  parameters: TorchParameter[],
  values: ReadonlyArray<ArrayLike<number>>,
  options: ExportPyTorchOptions,
): Uint8Array {
  const { numBatchesTracked = true } = options;
  const entries: Array<[string, SafetensorsInput]> = [];
  parameters.forEach((parameter, i) => {
    entries.push([
      parameter.key,
      { dtype: 'F32', shape: parameter.torchShape, data: toTorchLayout(parameter, values[i]!) },
    ]);
    if (numBatchesTracked && parameter.key.endsWith('.running_var')) {
      const module = parameter.key.slice(0, -'.running_var'.length);
      entries.push([`${module}.num_batches_tracked`, { dtype: 'I64', shape: [], data: [0] }]);
    }
  });
  return writeSafetensors(entries, { format: 'pt' });
}
