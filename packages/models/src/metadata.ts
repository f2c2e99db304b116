import type { LayersModel } from '@tensorflow/tfjs-layers';
import { YCBCR_TASKS, type ResolvedConfig } from './config';

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

/** The metadata of a model built by `createModel` (or saved from one); undefined for other models. */
export function getWaveMixMetadata(model: LayersModel): WaveMixMetadata | undefined {
  const all = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const value = all?.[KEY] as WaveMixMetadata | undefined;
  return value?.format === 'wavemix-js/1' ? value : undefined;
}
