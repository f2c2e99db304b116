import type { LayersModel } from '@tensorflow/tfjs-layers';
import { TASKS, YCBCR_TASKS, type ResolvedConfig } from './config';
import { WaveMixMetadataError } from './errors';

/** How an image becomes model input: values scaled to [0, 1], then (x - mean) / std per channel. */
export interface Preprocessing {
  /** Colour space the model expects; images are converted from RGB(A). */
  colorSpace: 'rgb' | 'grayscale' | 'ycbcr';
  mean: number[];
  std: number[];
}

/** What a WaveMix model carries in its tfjs `userDefinedMetadata` (saved and loaded with it). */
export interface WaveMixMetadata {
  format: 'wavemix-js/1';
  config: ResolvedConfig;
  /** Registry name, when the model came from the registry. */
  name?: string;
  preprocessing: Preprocessing;
  /** Label of each output class (classification and segmentation). */
  classNames?: string[];
}

const KEY = 'wavemix';

export function defaultPreprocessing(config: ResolvedConfig): Preprocessing {
  const colorSpace = YCBCR_TASKS.includes(config.task) ? 'ycbcr' : config.inChannels === 1 ? 'grayscale' : 'rgb';
  const channels = config.inChannels;
  return { colorSpace, mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
}

export function setWaveMixMetadata(model: LayersModel, metadata: WaveMixMetadata): void {
  model.setUserDefinedMetadata({ [KEY]: metadata });
}

/**
 * The metadata of a model built by `createModel` (or saved from one); undefined for other models.
 * Metadata that claims the WaveMix format is validated first (it may come from an untrusted
 * model.json): `WaveMixMetadataError` names the bad field.
 */
export function getWaveMixMetadata(model: LayersModel): WaveMixMetadata | undefined {
  const all = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const value = all?.[KEY] as { format?: unknown } | undefined;
  return value?.format === 'wavemix-js/1' ? validateWaveMixMetadata(value) : undefined;
}

/** Bounds for loaded metadata: far above any real model, far below what would exhaust memory. */
export const METADATA_LIMITS = {
  maxClasses: 100_000,
  maxChannels: 64,
  maxSide: 65_536,
  maxWidth: 16_384,
  maxDepth: 1024,
  maxNameLength: 1024,
};

/**
 * Checks metadata loaded from a file before anything uses it: the task, class count and names,
 * channels and sizes, and the preprocessing. Throws `WaveMixMetadataError` naming the field.
 */
export function validateWaveMixMetadata(value: unknown): WaveMixMetadata {
  const refuse = (field: string, problem: string): never => {
    throw new WaveMixMetadataError(field, problem);
  };
  const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 80);
  const integer = (v: unknown, field: string, max: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
      refuse(field, `must be an integer from 1 to ${max}, got ${show(v)}`);
    return v as number;
  };
  const object = (v: unknown, field: string): Record<string, unknown> => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) refuse(field, `must be an object, got ${show(v)}`);
    return v as Record<string, unknown>;
  };
  const { maxClasses, maxChannels, maxSide, maxWidth, maxDepth, maxNameLength } = METADATA_LIMITS;
  const metadata = object(value, '(root)');
  if (metadata.format !== 'wavemix-js/1') refuse('format', `must be 'wavemix-js/1', got ${show(metadata.format)}`);
  const config = object(metadata.config, 'config');
  if (!TASKS.includes(config.task as never))
    refuse('config.task', `must be one of ${TASKS.join(', ')}, got ${show(config.task)}`);
  const numClasses = config.numClasses == null ? null : integer(config.numClasses, 'config.numClasses', maxClasses);
  const channels = integer(config.inChannels, 'config.inChannels', maxChannels);
  for (const field of ['depth', 'blocks'] as const)
    if (config[field] != null) integer(config[field], `config.${field}`, maxDepth);
  for (const field of ['mult', 'ffChannel', 'finalDim', 'patchSize', 'stride', 'scale'] as const) {
    if (config[field] != null) integer(config[field], `config.${field}`, maxWidth);
  }
  if (config.inputSize != null) {
    const size = config.inputSize;
    if (!Array.isArray(size) || size.length !== 2)
      refuse('config.inputSize', `must be [height, width], got ${show(size)}`);
    (size as unknown[]).forEach((side, i) => integer(side, `config.inputSize[${i}]`, maxSide));
  }
  if (metadata.name !== undefined && (typeof metadata.name !== 'string' || metadata.name.length > maxNameLength)) {
    refuse('name', `must be a string of at most ${maxNameLength} characters`);
  }
  const preprocessing = object(metadata.preprocessing, 'preprocessing');
  if (!['rgb', 'grayscale', 'ycbcr'].includes(preprocessing.colorSpace as string)) {
    refuse('preprocessing.colorSpace', `must be rgb, grayscale or ycbcr, got ${show(preprocessing.colorSpace)}`);
  }
  for (const field of ['mean', 'std'] as const) {
    const values = preprocessing[field];
    if (
      !Array.isArray(values) ||
      values.length !== channels ||
      !values.every((v) => typeof v === 'number' && Number.isFinite(v))
    ) {
      refuse(
        `preprocessing.${field}`,
        `must be ${channels} finite numbers (one per input channel), got ${show(values)}`,
      );
    }
  }
  if ((preprocessing.std as number[]).some((v) => v <= 0))
    refuse('preprocessing.std', `must be positive, got ${show(preprocessing.std)}`);
  if (metadata.classNames !== undefined) {
    const names = metadata.classNames;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.length <= maxNameLength)) {
      refuse('classNames', `must be strings of at most ${maxNameLength} characters`);
    }
    if ((names as string[]).length !== numClasses)
      refuse('classNames', `has ${(names as string[]).length} names for ${numClasses ?? 'no'} classes`);
  }
  return metadata as unknown as WaveMixMetadata;
}
