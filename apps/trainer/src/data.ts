/** Opens the configured dataset's splits through @wavemix/datasets, with usage errors on failure. */
import { DatasetArgumentError, DatasetFormatError, DatasetNotFoundError, type Dataset } from '@wavemix/datasets';
import { findDataset, loadDataset } from '@wavemix/datasets/node';
import { getModelInfo } from '@wavemix/models';
import type { TrainConfig } from './config';
import { UsageError } from './errors';

/**
 * A super-resolution dataset pairs images at the model's scale unless the dataset options (or the
 * alias, e.g. `div2k-x4`) say otherwise, so `--model wavemixsr-v2-144-2-x4 --dataset div2k` works.
 */
function impliedScale(config: TrainConfig): { scale?: number } {
  const found = findDataset(config.dataset);
  if (
    found?.descriptor.task !== 'super-resolution' ||
    'scale' in found.aliasOptions ||
    config.datasetOptions?.['scale'] !== undefined
  )
    return {};
  const model =
    typeof config.model === 'string' ? getModelInfo(config.model).config : (config.model as { scale?: unknown });
  return typeof model.scale === 'number' ? { scale: model.scale } : {};
}

export function heldOutSplit(config: TrainConfig): string {
  // The dataset table knows the split each dataset publishes for testing ('test', 'val', 'valid').
  return config.testSplit ?? findDataset(config.dataset)?.descriptor.heldOutSplit ?? 'test';
}

export async function loadTrainerDataset(config: TrainConfig, which: 'train' | 'test'): Promise<Dataset> {
  const split = which === 'train' ? 'train' : heldOutSplit(config);
  try {
    return await loadDataset(config.dataset, {
      ...impliedScale(config),
      ...config.datasetOptions,
      dataDir: config.dataDir,
      split,
    });
  } catch (error) {
    if (
      error instanceof DatasetNotFoundError ||
      error instanceof DatasetArgumentError ||
      error instanceof DatasetFormatError
    ) {
      const hint = config.dataDir ? '' : ' (pass --data-dir with the folder of the downloaded files)';
      throw new UsageError(`dataset ${config.dataset} (${split}): ${error.message}${hint}`);
    }
    throw error;
  }
}
