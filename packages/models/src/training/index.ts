/**
 * `@wavemix/models/training`: the training primitives (optimizers, losses, learning-rate
 * schedules) on tfjs-core alone, without the model zoo or the custom layers, so worker threads
 * and tools can import them cheaply. The package root re-exports the optimizers.
 */
export { AdamW, SgdMomentum, type AdamWConfig, type NamedTensor } from './optimizers';
export { Lion, type LionConfig } from './lion';
export { focalLoss, huberLoss, type FocalLossOptions, type HuberLossOptions } from './robust_losses';
export {
  IGNORE_INDEX_LOSSES,
  LOSSES,
  classificationLoss,
  computeLoss,
  correctCount,
  countCorrect,
  countLabelled,
  lossWeight,
  segmentationLoss,
  superResolutionLoss,
  type LossName,
  type LossOptions,
} from './losses';
export { learningRateAt, type ScheduleName, type ScheduleOptions } from './schedules';
