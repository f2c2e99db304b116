import { WaveMixError } from '@wavemix/core';

/** A tfjs layer (or one of its settings) has no ONNX mapping in this exporter. */
export class WaveMixOnnxUnsupportedLayerError extends WaveMixError {
  constructor(
    readonly layerName: string,
    readonly className: string,
    detail: string,
  ) {
    super(`layer '${layerName}' (${className}): ${detail}`);
  }
}

/** An ONNX file is malformed, or lacks what a WaveMix predictor needs (its metadata, a known input). */
export class WaveMixOnnxFormatError extends WaveMixError {
  constructor(
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}

/** No onnxruntime package could be loaded for this environment. */
export class WaveMixOnnxRuntimeError extends WaveMixError {}
