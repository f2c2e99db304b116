/** Keys of the WaveMix entries in an ONNX model's `metadata_props`. */
import type { WaveMixMetadata } from '@wavemix/models';
import { WaveMixOnnxFormatError } from './errors';

/** JSON of the `WaveMixMetadata` (task and configuration, preprocessing, class names). */
export const ONNX_METADATA_KEY = 'wavemix';
/** Tensor layout of the graph's input and dense outputs; always `NCHW` for our exports. */
export const ONNX_LAYOUT_KEY = 'wavemix.layout';

/** The WaveMix metadata out of an ONNX model's `metadata_props`. */
export function parseOnnxMetadata(
  props: Array<{ key?: string | null; value?: string | null }>,
  source: string,
): WaveMixMetadata {
  const entry = props.find((p) => p.key === ONNX_METADATA_KEY);
  if (!entry?.value) {
    throw new WaveMixOnnxFormatError(
      source,
      `no '${ONNX_METADATA_KEY}' entry in metadata_props; pass options.metadata to describe the model`,
    );
  }
  let metadata: WaveMixMetadata;
  try {
    metadata = JSON.parse(entry.value) as WaveMixMetadata;
  } catch (error) {
    throw new WaveMixOnnxFormatError(
      source,
      `metadata_props '${ONNX_METADATA_KEY}' is not JSON (${(error as Error).message})`,
    );
  }
  if (metadata?.format !== 'wavemix-js/1' || !metadata.config?.task) {
    throw new WaveMixOnnxFormatError(
      source,
      `metadata_props '${ONNX_METADATA_KEY}' is not WaveMix metadata (format 'wavemix-js/1')`,
    );
  }
  return metadata;
}
