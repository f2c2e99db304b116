/**
 * Where models come from. Each loader returns the predictor plus a `ModelSource` whose `reload`
 * builds the same model again from that source on the active backend: after a backend switch
 * the weights are read from the files / URL / snapshot again, never from the previous backend's
 * memory (a lost GPU context hands back zeros). A new kind of source is one more loader here
 * plus its control in index.html; `.onnx` files are in onnx_source.ts (onnxruntime-web).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  createModel,
  getWaveMixMetadata,
  load,
  loadPyTorchWeights,
  WaveMixPredictor,
  type WaveMixConfig,
} from '@wavemix/models';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Predictor } from '../../app/predictor';
import type { ModelSource } from '../../app/store';
import { ViewerInputError } from '../../errors';
import { humaniseError } from '../../logic/humanise';
import { findModelJson, pickedFile, readModelFolder, readPyTorchConfig } from '../../logic/model_files';
import { parseJson } from '../../ui/dom';

export interface Loaded {
  source: ModelSource;
  predictor: Predictor;
  /** Things the user should know (e.g. a config without the training normalisation). */
  warnings: string[];
}

const predictorOf = (model: LayersModel) => new WaveMixPredictor(model, getWaveMixMetadata(model)!);
const inputError = (message: string) => new ViewerInputError(message);

/** A zoo model with random weights; reloads restore the same random weights from a snapshot. */
export async function fromZoo(name: string, overridesText: string): Promise<Loaded> {
  const text = overridesText.trim();
  const overrides = text ? (parseJson(text, 'the overrides', inputError) as Partial<WaveMixConfig>) : undefined;
  if (overrides !== undefined && (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides))) {
    throw new ViewerInputError('the overrides must be a JSON object, e.g. {"depth": 2}');
  }
  const build = () => createModel(name, overrides ? { overrides } : {});
  const model = build();
  const snapshot = await Promise.all(
    model.getWeights().map(async (w) => ({ shape: w.shape, dtype: w.dtype, data: await w.data() })),
  );
  const reload = async () => {
    const again = build();
    const tensors = snapshot.map((w) => tf.tensor(w.data, w.shape, w.dtype));
    again.setWeights(tensors);
    tf.dispose(tensors);
    return predictorOf(again);
  };
  return {
    source: { kind: 'zoo', label: `${name} (random weights)`, reload },
    predictor: predictorOf(model),
    warnings: [],
  };
}

/**
 * A trainer output folder: `<run>/model/model.json` with its weight file(s). The files are
 * untrusted: model_files.ts checks paths, sizes and metadata before a weight byte is read.
 */
export async function fromTrainerFolder(files: File[]): Promise<Loaded> {
  const picked = files.map(pickedFile);
  const json = findModelJson(picked);
  const reload = async () => load({ load: () => readModelFolder(picked) });
  const predictor = await reload();
  const weights = picked.filter((f) => f !== json).map((f) => f.name);
  const label = json.relativePath || `${json.name} + ${weights.join(', ')}`;
  return { source: { kind: 'tfjs-folder', label, reload }, predictor, warnings: [] };
}

/** A tfjs model served at `url` (the bundled classifier). */
export async function fromUrl(url: string, label: string): Promise<Loaded> {
  const reload = () => load(url);
  return { source: { kind: 'bundled', label, reload }, predictor: await reload(), warnings: [] };
}

/** PyTorch weights (.safetensors / .pth) with a config JSON (the trainer's model-config.json, a createModel config, or a registry name). */
export async function fromPyTorch(weights: File, configFile: File): Promise<Loaded> {
  // Size-capped, parsed and validated (config, preprocessing, class names) before a model is built.
  const { zooName, fields, options } = await readPyTorchConfig(pickedFile(configFile));
  const fromRegistry = zooName !== null;
  const preprocessing = options.preprocessing;
  const warnings: string[] = [];
  if (!preprocessing && !fromRegistry) {
    warnings.push(
      `${configFile.name} has no "preprocessing": the model is given pixels scaled to [0, 1] without the normalisation it was trained with, ` +
        'so its predictions may be wrong. Add "preprocessing": {"colorSpace", "mean", "std"} (the trainer writes it into model-config.json).',
    );
  }
  const bytes = new Uint8Array(await weights.arrayBuffer());
  const reload = async () => {
    const model = zooName !== null ? createModel(zooName, options) : createModel(fields, options);
    try {
      loadPyTorchWeights(model, bytes, { source: weights.name });
    } catch (error) {
      model.dispose();
      const { summary, details } = humaniseError(error);
      const withoutSource = summary.startsWith(`${weights.name}: `) ? summary.slice(weights.name.length + 2) : summary;
      throw new ViewerInputError(`${weights.name} does not match ${configFile.name}: ${withoutSource}`, details);
    }
    return predictorOf(model);
  };
  return {
    source: { kind: 'pytorch', label: `${weights.name} with ${configFile.name}`, reload },
    predictor: await reload(),
    warnings,
  };
}
