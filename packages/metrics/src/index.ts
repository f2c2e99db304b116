export type { MetricInput, NumericArray } from './input';
export { TopKAccuracy, topKAccuracy, type TieRule, type TopKOptions } from './top_k';
export { ConfusionMatrix, type ConfusionMatrixOptions } from './confusion_matrix';
export {
  ExpectedCalibrationError,
  expectedCalibrationError,
  type CalibrationBin,
  type CalibrationOptions,
} from './calibration';
export {
  psnr,
  ssim,
  rgbToY,
  srMetrics,
  SuperResolutionMetrics,
  type PsnrOptions,
  type SsimOptions,
  type SuperResolutionOptions,
  type SuperResolutionResult,
} from './image_quality';
