import { input, model as functionalModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError } from '@wavemix/core';
import { resolveConfig, type ResolvedConfig, type WaveMixConfig } from './config';
import { buildClassification, buildSegmentation, buildSisr } from './build/builders';
import { buildWaveMixSR, buildWaveMixSRV2 } from './build/super_resolution';
import { defaultPreprocessing, setWaveMixMetadata, type Preprocessing, type WaveMixMetadata } from './metadata';
import { getModelInfo } from './registry';

export interface CreateModelOptions {
  /** Overrides of the registry entry's configuration (e.g. `{dropout: 0}` or a different `inputSize`). */
  overrides?: Partial<Omit<WaveMixConfig, 'task'>>;
  preprocessing?: Preprocessing;
  classNames?: string[];
}

/**
 * Builds a WaveMix network as a `tf.LayersModel` from a configuration (missing fields take the
 * task's official defaults) or from a registry name (see `listModels()`). NHWC input; output is
 * `[b, numClasses]` logits (classification) or an NHWC map (segmentation logits, sisr RGB at 2x,
 * WaveMixSR / WaveMixSR-V2 YCbCr at `scale`). Weights are freshly initialised as PyTorch would; load trained ones with
 * `loadPyTorchWeights`.
 */
export function createModel(configOrName: WaveMixConfig | string, options: CreateModelOptions = {}): LayersModel {
  let config: WaveMixConfig;
  let name: string | undefined;
  let preprocessing = options.preprocessing;
  let classNames = options.classNames;
  if (typeof configOrName === 'string') {
    const info = getModelInfo(configOrName);
    name = info.name;
    config = { ...info.config, ...options.overrides } as WaveMixConfig;
    preprocessing ??= info.preprocessing;
    classNames ??= info.classNames;
  } else {
    if (options.overrides)
      throw new WaveMixArgumentError('overrides', 'apply only to a registry name; put the fields in the config');
    config = configOrName;
  }
  const resolved = resolveConfig(config);
  const model = buildModel(resolved, name);
  const metadata: WaveMixMetadata = {
    format: 'wavemix-js/1',
    config: resolved,
    preprocessing: preprocessing ?? defaultPreprocessing(resolved),
  };
  if (name) metadata.name = name;
  if (classNames) {
    if (resolved.numClasses == null || classNames.length !== resolved.numClasses) {
      throw new WaveMixArgumentError(
        'classNames',
        `needs one name per class (${resolved.numClasses ?? 'no classes'}), got ${classNames.length}`,
      );
    }
    metadata.classNames = [...classNames];
  }
  setWaveMixMetadata(model, metadata);
  return model;
}

/** Builds the network of a resolved (validated) configuration. */
export function buildModel(config: ResolvedConfig, name?: string): LayersModel {
  const [height, width] = config.inputSize ?? [null, null];
  const x = input({ name: 'input', shape: [height, width, config.inChannels] });
  const build = {
    classification: buildClassification,
    segmentation: buildSegmentation,
    sisr: buildSisr,
    'wavemix-sr': buildWaveMixSR,
    'wavemix-sr-v2': buildWaveMixSRV2,
  }[config.task];
  const output = build(x, config);
  const modelName = (name ?? `wavemix-${config.task}`).replace(/[^A-Za-z0-9._-]/g, '_');
  return functionalModel({ inputs: x, outputs: output, name: modelName });
}

/** Trainable parameters, as PyTorch counts them (`countParams()` adds BatchNorm moving statistics). */
export function countTrainableParams(model: LayersModel): number {
  let total = 0;
  for (const weight of model.trainableWeights) total += weight.shape.reduce<number>((a, b) => a * (b ?? 0), 1);
  return total;
}
