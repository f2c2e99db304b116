/** Opens the configured dataset's splits through @wavemix/datasets, with usage errors on failure. */
import { DatasetArgumentError, DatasetFormatError, DatasetNotFoundError, type Dataset } from '@wavemix/datasets';
import { findDataset, loadDataset } from '@wavemix/datasets/node';
import type { TrainConfig } from './config';
import { UsageError } from './errors';

export function heldOutSplit(config: TrainConfig): string {
  // The dataset table knows the split each dataset publishes for testing ('test', 'val', 'valid').
  return config.testSplit ?? findDataset(config.dataset)?.descriptor.heldOutSplit ?? 'test';
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
