/**
 * The model and data a run trains: the model config completed from the dataset's shape and
 * classes, the metadata exports carry, and the augmentation a config names.
 */
import type * as tf from '@tensorflow/tfjs';
import { limitDataset, splitDataset, type AugmentOptions, type Dataset } from '@wavemix/datasets';
import {
  AdamW,
  getModelInfo,
  getWaveMixMetadata,
  Lion,
  resolveConfig,
  SgdMomentum,
  setWaveMixMetadata,
  YCBCR_TASKS,
  type WaveMixConfig,
} from '@wavemix/models';
import type { TrainConfig } from './config';
import { UsageError } from './errors';
import type { Phase } from './plateau_policy';
import type { TrainerTask } from './tasks';

/** Model config for a dataset: a zoo entry or inline config, completed with the data's shape and classes. */
export function modelConfigFor(config: TrainConfig, data: Dataset): { name: string; modelConfig: WaveMixConfig } {
  const base: WaveMixConfig =
    typeof config.model === 'string'
      ? { ...getModelInfo(config.model).config }
      : ({ ...config.model } as unknown as WaveMixConfig);
  const name = typeof config.model === 'string' ? config.model : `custom-${base.task}`;
  const shape = data.imageShape;
  if (!shape) throw new UsageError(`${data.name} images vary in size; the trainer needs a fixed size`);
  const expected: TrainerTask =
    base.task === 'classification'
      ? 'classification'
      : base.task === 'segmentation'
        ? 'segmentation'
        : 'super-resolution';
  if (expected !== data.task) {
    throw new UsageError(`model ${name} is a ${base.task} model but dataset ${data.name} is for ${data.task}`);
  }
  const modelConfig: WaveMixConfig = { ...base, inChannels: YCBCR_TASKS.includes(base.task) ? 3 : shape[2] };
  if (base.task === 'classification' || base.task === 'segmentation') {
    modelConfig.numClasses = data.numClasses;
    modelConfig.inputSize = [shape[0], shape[1]];
  }
  let scale: number | null;
  try {
    scale = resolveConfig(modelConfig).scale;
  } catch (error) {
    throw new UsageError(`model ${name} cannot take ${data.name} (${shape.join('x')}): ${(error as Error).message}`);
  }
  if (data.task === 'super-resolution' && (scale ?? 2) !== (data.scale ?? 2)) {
    throw new UsageError(
      `model ${name} upscales ${scale ?? 2}x but dataset ${data.name} pairs images at ${data.scale ?? 2}x (set the dataset's scale option to ${scale ?? 2})`,
    );
  }
  return { name, modelConfig };
}

/**
 * Exported models carry what inference needs: the normalisation the pipeline applied (pixels
 * scaled to [0, 1], then the dataset's mean/std; super-resolution is not normalised) and the
 * class names.
 */
export function describeTrainingData(model: tf.LayersModel, name: string, data: Dataset): void {
  const metadata = getWaveMixMetadata(model);
  if (!metadata) return;
  const normalised = data.task !== 'super-resolution';
  setWaveMixMetadata(model, {
    ...metadata,
    name,
    preprocessing: normalised
      ? { ...metadata.preprocessing, mean: [...data.mean], std: [...data.std] }
      : metadata.preprocessing,
    ...(data.classNames.length ? { classNames: [...data.classNames] } : {}),
  });
}

/** The training, validation and test sets a config asks for (the validation share is held out first, then the limits apply). */
export function runSplits(
  config: TrainConfig,
  trainData: Dataset,
  testData: Dataset,
): { trainSet: Dataset; validationSet: Dataset | null; testSet: Dataset } {
  // Split for --eval-only too: a resumed run's pipeline state counts the training share it had.
  const split =
    config.valFraction > 0
      ? splitDataset(trainData, { validationFraction: config.valFraction, seed: config.seed })
      : { train: trainData, validation: null };
  const trainSet = config.limitTrain ? limitDataset(split.train, config.limitTrain) : split.train;
  const validationSet =
    split.validation && config.limitTrain
      ? limitDataset(split.validation, Math.max(1, Math.round(config.limitTrain * config.valFraction)))
      : split.validation;
  const testSet = config.limitTest ? limitDataset(testData, config.limitTest) : testData;
  return { trainSet, validationSet, testSet };
}

export type TrainingOptimizer = AdamW | SgdMomentum | Lion;

/** The optimizer of a phase: SGD with momentum (sgd, dualopt's second phase), Lion, or AdamW. */
export function makeOptimizer(config: TrainConfig, phase: Phase): TrainingOptimizer {
  if (phase === 'sgd') return new SgdMomentum({ learningRate: config.lr, momentum: config.momentum });
  if (config.opt === 'lion') return new Lion({ learningRate: config.lr, weightDecay: config.weightDecay });
  return new AdamW({ learningRate: config.lr, weightDecay: config.weightDecay });
}

export function augmentOptions(kind: TrainConfig['augment']): AugmentOptions | false {
  if (kind === 'none') return false;
  if (kind === 'flip') return { horizontalFlip: true };
  if (kind === 'crop-flip') return { randomCrop: { padding: 4 }, horizontalFlip: true };
  return { randomCrop: { padding: 4 }, horizontalFlip: true, trivialAugment: true };
}
