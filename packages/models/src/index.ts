import '@wavemix/layers';

export {
  SR_SCALES,
  TASKS,
  YCBCR_TASKS,
  assertInputSize,
  inputDivisor,
  resolveConfig,
  type InitialConv,
  type ResolvedConfig,
  type SegmentationArchitecture,
  type SrInterpolation,
  type WaveMixConfig,
  type WaveMixTask,
} from './config';
export { buildModel, countTrainableParams, createModel, type CreateModelOptions } from './create_model';
export { getModelInfo, listModels, type ModelInfo, type PublishedResult } from './registry';
export {
  METADATA_LIMITS,
  getWaveMixMetadata,
  setWaveMixMetadata,
  validateWaveMixMetadata,
  type Preprocessing,
  type WaveMixMetadata,
} from './metadata';
export {
  exportPyTorchWeights,
  exportPyTorchWeightsAsync,
  fromTorchLayout,
  loadPyTorchWeights,
  pytorchParameters,
  toTorchLayout,
  transposeData,
  type ExportPyTorchOptions,
  type LoadPyTorchOptions,
  type LoadReport,
  type TorchParameter,
} from './pytorch/bridge';
export {
  DEFAULT_STATE_DICT_MAX_BYTES,
  openStateDict,
  readStateDict,
  type OpenedStateDict,
  type ReadStateDictOptions,
  type StateDict,
  type StateDictFormat,
  type StateTensor,
} from './pytorch/state_dict';
export {
  WaveMixFormatError,
  WaveMixMetadataError,
  WaveMixModelFolderError,
  WaveMixPickleError,
  WaveMixStateDictError,
  WaveMixTensorRecordError,
  WaveMixZipError,
  type ShapeMismatch,
} from './errors';
export * from './class_names';
export {
  WaveMixPredictor,
  load,
  type Classification,
  type LoadOptions,
  type Segmentation,
  type UpscaledImage,
} from './inference/predictor';
export {
  INFERENCE_REWRITE_RULES,
  LOAD_REWRITE_RULES,
  optimizeForInference,
  rewriteForInference,
  InferenceGraph,
  WaveMixInferenceGraphError,
  type GraphLayer,
  type NamedWeight,
  type OptimizeOptions,
  type OptimizeResult,
  type RewriteRule,
} from './inference/optimize';
export {
  OFFICIAL_WEIGHTS_BASE_URL,
  WEIGHTS_BASE_URL_ENV,
  WaveMixWeightsError,
  mirroredUrl,
  type ExpectedCheckpoint,
} from './inference/weights';
export { rgbToGray, rgbToYCbCr, toRgbTensor, yCbCrToRgb, type ImageInput, type PixelData } from './inference/image';
export {
  assertPredictorTask,
  labelMap,
  PREDICTOR_TASKS,
  preprocessImage,
  toUpscaledImage,
  topClasses,
} from './inference/processing';
export { AdamW, SgdMomentum, type AdamWConfig, type NamedTensor } from './training/optimizers';
export { Lion, type LionConfig } from './training/lion';
export { focalLoss, huberLoss, type FocalLossOptions, type HuberLossOptions } from './training/robust_losses';
