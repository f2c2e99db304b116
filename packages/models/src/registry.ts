/**
 * Named configurations: every model of specification §6 and §7 (docs/specification.md) and every checkpoint the official
 * repositories publish (the loader files under `Saved_weights/` of pranavphoenix/WaveMix give
 * architecture and URL). `trainableParams` is what the built model has (PyTorch's count: trainable
 * weights only); tests build each entry and check it, and check the §6 numbers against the
 * spec. `published` is the paper/README/checkpoint result the configuration is known for;
 * `preprocessing` is what the checkpoint's official training script feeds it (registry.test.ts
 * holds the table of scripts). `notes` are user-facing: they cite the paper or the official file.
 */
import { WaveMixArgumentError } from '@wavemix/core';
import type { WaveMixConfig, WaveMixTask } from './config';
import type { Preprocessing } from './metadata';
import { PUBLISHED_CHECKPOINT_ENTRIES } from './registry_entries/checkpoints';
import { PAPER_CLASSIFICATION_ENTRIES } from './registry_entries/classification';
import { DENSE_ENTRIES } from './registry_entries/dense';

export interface PublishedResult {
  dataset: string;
  metric: string;
  value: number;
  /** Where it comes from, and any other figure reported for the same configuration. */
  source: string;
}

export interface ModelInfo {
  name: string;
  task: WaveMixTask;
  description: string;
  config: WaveMixConfig;
  /** [height, width] the model was trained at; null where any size works (super-resolution). */
  inputSize: [number, number] | null;
  trainableParams: number;
  published: PublishedResult | null;
  preprocessing: Preprocessing;
  classNames?: string[];
  /** Official PyTorch state_dict (torch.save .pth), loadable with `loadPyTorchWeights`. */
  weightsUrl?: string;
  /** Size in bytes and SHA-256 (hex) of the file at `weightsUrl`, where known: `load()` checks them. */
  weightsBytes?: number;
  weightsSha256?: string;
  /** What is assumed rather than taken from an official source. */
  notes?: string;
}

/** Every entry, in the order `listModels()` returns them. */
const ENTRIES: ModelInfo[] = [...PAPER_CLASSIFICATION_ENTRIES, ...DENSE_ENTRIES, ...PUBLISHED_CHECKPOINT_ENTRIES];

const BY_NAME = new Map(ENTRIES.map((entry) => [entry.name, entry]));

/** Every named configuration, in a stable order. */
export function listModels(): ModelInfo[] {
  return ENTRIES.map(copyInfo);
}

export function getModelInfo(name: string): ModelInfo {
  const entry = BY_NAME.get(name);
  if (!entry) {
    throw new WaveMixArgumentError(
      'name',
      `unknown model ${JSON.stringify(name)}; known: ${[...BY_NAME.keys()].join(', ')}`,
    );
  }
  return copyInfo(entry);
}

function copyInfo(entry: ModelInfo): ModelInfo {
  return JSON.parse(JSON.stringify(entry)) as ModelInfo;
}
