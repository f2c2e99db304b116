export { exportOnnx, DEFAULT_OPSET, type ExportOnnxOptions } from './export_onnx';
export { ONNX_LAYOUT_KEY, ONNX_METADATA_KEY, parseOnnxMetadata } from './metadata';
export { WaveMixOnnxFormatError, WaveMixOnnxRuntimeError, WaveMixOnnxUnsupportedLayerError } from './errors';
export { loadOnnx, OnnxPredictor, type LoadOnnxOptions } from './load_onnx';
export type { OrtModule, OrtSession, OrtSessionOptions, OrtTensor } from './runtime';
export { checkOnnxModel, onnxOpCounts, type CheckOnnxOptions } from './check_model';
