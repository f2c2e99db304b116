/**
 * The protobufjs classes of onnx.proto from `onnx-proto`. It is a CommonJS module whose only ESM
 * export is `default`, so read `onnx` from whichever shape the loader handed us.
 */
import * as onnxProto from 'onnx-proto';

type OnnxNamespace = typeof onnxProto.onnx;
const loaded = onnxProto as unknown as { onnx?: OnnxNamespace; default?: { onnx: OnnxNamespace } };
export const onnx: OnnxNamespace = loaded.onnx ?? loaded.default!.onnx;
// eslint-disable-next-line @typescript-eslint/no-namespace
export type { onnx as OnnxTypes } from 'onnx-proto';
