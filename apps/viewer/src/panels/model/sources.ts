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
  listModels,
  load,
  loadPyTorchWeights,
  WaveMixPredictor,
  type Preprocessing,
  type WaveMixConfig,
} from '@wavemix/models';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Predictor } from '../../app/predictor';
import type { ModelSource } from '../../app/store';
import { ViewerInputError } from '../../errors';
import { humaniseError } from '../../logic/humanise';
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
  const snapshot = await Promise.all(model.getWeights().map(async (w) => ({ shape: w.shape, dtype: w.dtype, data: await w.data() })));
  const reload = async () => {
    const again = build();
    const tensors = snapshot.map((w) => tf.tensor(w.data, w.shape, w.dtype));
    again.setWeights(tensors);
    tf.dispose(tensors);
    return predictorOf(again);
  };
  return { source: { kind: 'zoo', label: `${name} (random weights)`, reload }, predictor: predictorOf(model), warnings: [] };
}

/** A trainer output folder: `<run>/model/model.json` with its weight file(s). */
export async function fromTrainerFolder(files: File[]): Promise<Loaded> {
  const json = files.find((f) => f.name.endsWith('.json'));
  if (!json) throw new ViewerInputError('choose the model.json of the trainer output folder (<run>/model/) together with its weights file(s)');
  const weights = files.filter((f) => f !== json);
  if (weights.length === 0) throw new ViewerInputError(`${json.name} needs its weights file(s) too (weights.bin in the same folder); select them together`);
  const reload = () => load(tf.io.browserFiles([json, ...weights]));
  const label = json.webkitRelativePath || `${json.name} + ${weights.map((w) => w.name).join(', ')}`;
  return { source: { kind: 'tfjs-folder', label, reload }, predictor: await reload(), warnings: [] };
}

/** A tfjs model served at `url` (the bundled classifier). */
export async function fromUrl(url: string, label: string): Promise<Loaded> {
  const reload = () => load(url);
  return { source: { kind: 'bundled', label, reload }, predictor: await reload(), warnings: [] };
}

/** PyTorch weights (.safetensors / .pth) with a config JSON (the trainer's model-config.json, a createModel config, or a registry name). */
export async function fromPyTorch(weights: File, configFile: File): Promise<Loaded> {
  const config = parseJson(await configFile.text(), configFile.name, inputError) as Record<string, unknown>;
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new ViewerInputError(`${configFile.name} must hold a JSON object`);
  // The trainer's model-config.json: createModel's config plus its `preprocessing` and
  // `classNames` options (older exports also carry the run's `name`).
  const { name, preprocessing, classNames, ...fields } = config;
  const zooName = typeof name === 'string' && listModels().some((m) => m.name === name) ? name : null;
  const fromRegistry = zooName !== null && !('task' in fields);
  const options = {
    ...(preprocessing ? { preprocessing: preprocessing as Preprocessing } : {}),
    ...(Array.isArray(classNames) ? { classNames: classNames.map(String) } : {}),
  };
  const warnings: string[] = [];
  if (!preprocessing && !fromRegistry) {
    warnings.push(
      `${configFile.name} has no "preprocessing": the model is given pixels scaled to [0, 1] without the normalisation it was trained with, ` +
        'so its predictions may be wrong. Add "preprocessing": {"colorSpace", "mean", "std"} (the trainer writes it into model-config.json).',
    );
  }
  const bytes = new Uint8Array(await weights.arrayBuffer());
  const reload = async () => {
    const model = fromRegistry ? createModel(zooName, options) : createModel(fields as unknown as WaveMixConfig, options);
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
  return { source: { kind: 'pytorch', label: `${weights.name} with ${configFile.name}`, reload }, predictor: await reload(), warnings };
}
