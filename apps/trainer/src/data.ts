/** Opens the configured dataset's splits through @wavemix/datasets, with usage errors on failure. */
import { DatasetArgumentError, DatasetFormatError, DatasetNotFoundError, type Dataset } from '@wavemix/datasets';
import { loadDataset } from '@wavemix/datasets/node';
import type { TrainConfig } from './config';
import { UsageError } from './errors';

/** The held-out split each dataset publishes (where "test" is not its name). */
const HELD_OUT_SPLIT: Record<string, string> = {
  cityscapes: 'val',
  div2k: 'valid',
  'super-resolution': 'valid',
  places365: 'val',
  'tiny-imagenet': 'val',
  imagenet: 'val',
  inaturalist: 'val',
};

export function heldOutSplit(config: TrainConfig): string {
  return config.testSplit ?? HELD_OUT_SPLIT[config.dataset] ?? 'test';
}

export async function loadTrainerDataset(config: TrainConfig, which: 'train' | 'test'): Promise<Dataset> {
  const split = which === 'train' ? 'train' : heldOutSplit(config);
  try {
    return await loadDataset(config.dataset, { ...config.datasetOptions, dataDir: config.dataDir, split });
  } catch (error) {
    if (error instanceof DatasetNotFoundError || error instanceof DatasetArgumentError || error instanceof DatasetFormatError) {
      const hint = config.dataDir ? '' : ' (pass --data-dir with the folder of the downloaded files)';
      throw new UsageError(`dataset ${config.dataset} (${split}): ${error.message}${hint}`);
    }
    throw error;
  }
}
