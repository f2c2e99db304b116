// Browser-safe entry: formats, augmentation, pipelines. File-system readers live in
// `@wavemix/datasets/node`.
export { DatasetFormatError, DatasetNotFoundError, DatasetArgumentError } from './errors';
export {
  InMemoryDataset,
  LazyDataset,
  SubsetDataset,
  resolveSubset,
  stackExamples,
  checkIndices,
  type Dataset,
  type DatasetInfo,
  type Example,
  type ExampleBatch,
  type ImageShape,
  type InMemoryDatasetInit,
  type LazyDatasetInit,
  type LoadSpec,
  type Task,
} from './dataset';
export { splitIndices, splitDataset, limitDataset, type SplitOptions } from './split';
export { computeMeanStd, type MeanStdOptions } from './stats';
export { Rng, hashWords, permutation } from './rng';
export { crc32 } from './formats/crc32';
export { gunzip, gzip, isGzip, parseGzipHeader, DEFAULT_MAX_DECOMPRESSED_BYTES, type Gunzip } from './formats/gzip';
export {
  parseIdx,
  encodeIdx,
  type IdxArray,
  type IdxData,
  type IdxDtype,
  type ParseIdxOptions,
  type EncodeIdxOptions,
} from './formats/idx';
export {
  parseCifarBatch,
  encodeCifarBatch,
  cifarRecordSize,
  type CifarBatch,
  type CifarVariant,
} from './formats/cifar';
export { parseStl10Images, parseStl10Labels, encodeStl10Images, encodeStl10Labels, STL10_SIZE } from './formats/stl10';
export {
  parseEmnistMapping,
  transposeImages,
  idxClassification,
  EMNIST_SPLITS,
  type EmnistMapping,
  type EmnistSplit,
} from './formats/emnist';
export { parseLabelNames, decodeText, textLines } from './formats/text';
export { encodePng } from './formats/png';
export {
  CITYSCAPES_CLASSES,
  CITYSCAPES_IGNORE_INDEX,
  CITYSCAPES_LABEL_TO_TRAIN_ID,
  cityscapesTrainIds,
} from './formats/cityscapes';
export type { ImageU8 } from './augment/image';
export { cropWithPadding, drawCropOffsets, horizontalFlip, normalizeInto } from './augment/basic';
export {
  applyTrivialAugmentOp,
  trivialAugmentWide,
  trivialAugmentMagnitudes,
  inverseAffineMatrix,
  TRIVIAL_AUGMENT_OPS,
  type TrivialAugmentOp,
  type TrivialAugmentOptions,
} from './augment/trivial_augment';
export {
  prepareBatch,
  prepareExamples,
  resolveAugment,
  type AugmentOptions,
  type BatchRequest,
  type PrepareConfig,
  type PreparedBatch,
  type ResolvedAugment,
} from './pipeline/prepare';
export {
  createPipeline,
  DataPipeline,
  disposeBatch,
  localExecutor,
  type Batch,
  type BatchExecutor,
  type ExecutorFactory,
  type PipelineOptions,
  type PipelineState,
} from './pipeline/pipeline';
export { toTfDataset } from './pipeline/tf_data';
export { CIFAR10_CLASSES, FASHION_MNIST_CLASSES, GALAXY10_CLASSES, MNIST_CLASSES, STL10_CLASSES } from './registry';
export {
  evaluateSuperResolution,
  borderCropPixels,
  type BorderCrop,
  type EvaluateSuperResolutionOptions,
  type MeasureSuperResolution,
  type SuperResolutionEvaluation,
} from './sr_evaluation';
