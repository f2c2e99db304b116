/**
 * `exportOnnx(model)`: a WaveMix tfjs-layers model as a serialized ONNX ModelProto with the same
 * interface as `torch.onnx.export` of the official PyTorch module: one float32 NCHW input named
 * `input`, outputs in the official layout (logits [b, classes], dense maps NCHW), dynamic batch.
 */
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { WaveMixArgumentError } from '@wavemix/core';
import { getWaveMixMetadata, type WaveMixMetadata } from '@wavemix/models';
import { ConvertContext, onnxShape, type OnnxValue } from './convert_context';
import { WaveMixOnnxUnsupportedLayerError } from './errors';
import { LAYER_CONVERTERS } from './layer_converters';
import { ONNX_METADATA_KEY, ONNX_LAYOUT_KEY } from './metadata';
import { onnx } from './proto';

export interface ExportOnnxOptions {
  /** ONNX opset of the default domain, 13 to 21 (default 17, torch.onnx.export's default). */
  opset?: number;
  /** Fold each BatchNorm into the Conv/ConvTranspose before it (default true, as torch.onnx.export does in eval mode). */
  foldBatchNorm?: boolean;
  /** WaveMix metadata to embed; defaults to the model's own (`getWaveMixMetadata`). */
  metadata?: WaveMixMetadata;
  /** Graph name (defaults to the model's name). */
  graphName?: string;
}

export const DEFAULT_OPSET = 17;
/** IR version 8 is the one opsets 17 to 21 ship with (onnx 1.12 to 1.16). */
const IR_VERSION = 8;
const PRODUCER_VERSION = '0.1.0';

type TfLayer = LayersModel['layers'][number];

/** Every weight of every layer, copied (BatchNorm folding rewrites them) and read asynchronously. */
async function readWeights(model: LayersModel): Promise<Map<string, Map<string, Float32Array>>> {
  const result = new Map<string, Map<string, Float32Array>>();
  for (const layer of model.layers) {
    const values = await Promise.all(layer.weights.map((w) => w.read().data()));
    const named = new Map<string, Float32Array>();
    layer.weights.forEach((w, i) =>
      named.set(w.originalName.split('/').pop()!, Float32Array.from(values[i] as Float32Array)),
    );
    result.set(layer.name, named);
  }
  return result;
}

function consumerCounts(model: LayersModel): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (t: SymbolicTensor) => counts.set(t.id, (counts.get(t.id) ?? 0) + 1);
  for (const layer of model.layers) for (const node of layer.inboundNodes) node.inputTensors.forEach(add);
  model.outputs.forEach(add);
  return counts;
}

function validateOpset(opset: number): void {
  if (!Number.isInteger(opset) || opset < 13 || opset > 21) {
    throw new WaveMixArgumentError('opset', `must be an integer from 13 to 21, got ${String(opset)}`);
  }
}

/**
 * Serializes a model from `createModel` (any task) with its current weights as an ONNX model.
 * Layers without an ONNX mapping throw `WaveMixOnnxUnsupportedLayerError` naming the layer and class.
 */
export async function exportOnnx(model: LayersModel, options: ExportOnnxOptions = {}): Promise<Uint8Array> {
  const opset = options.opset ?? DEFAULT_OPSET;
  validateOpset(opset);
  if (model.inputs.length !== 1 || model.inputs[0]!.shape.length !== 4 || model.inputs[0]!.shape[3] == null) {
    throw new WaveMixArgumentError('model', 'needs exactly one NHWC image input with a known channel count');
  }
  const ctx = new ConvertContext(
    { foldBatchNorm: options.foldBatchNorm ?? true },
    await readWeights(model),
    consumerCounts(model),
  );
  const { builder } = ctx;

  const outputNames = model.outputs.length === 1 ? ['output'] : model.outputs.map((_, i) => `output_${i}`);
  builder.reserve(outputNames);
  const values = new Map<number, OnnxValue>();
  const modelInput = model.inputs[0]!;
  const inputShape = onnxShape(modelInput);
  inputShape[2] ??= 'height';
  inputShape[3] ??= 'width';
  const inputName = builder.uniqueName('input');
  builder.shapes.set(inputName, inputShape);
  values.set(modelInput.id, { name: inputName, shape: inputShape });

  // Convert layer calls as soon as all their inputs exist (model.layers is already nearly topological).
  const pending = model.layers.flatMap((layer) => layer.inboundNodes.map((node) => ({ layer, node })));
  while (pending.length > 0) {
    const index = pending.findIndex(({ node }) => node.inputTensors.every((t) => values.has(t.id)));
    if (index < 0) break;
    const { layer, node } = pending.splice(index, 1)[0]!;
    if (layer.getClassName() === 'InputLayer') continue;
    const converter = LAYER_CONVERTERS[layer.getClassName()];
    if (!converter) throw unsupportedLayer(layer);
    const outputs = converter(
      layer,
      node.inputTensors.map((t) => values.get(t.id)!),
      node.outputTensors,
      ctx,
    );
    node.outputTensors.forEach((t, i) => values.set(t.id, outputs[i]!));
  }

  model.outputs.forEach((tensor, i) => {
    const value = values.get(tensor.id);
    if (!value)
      throw new WaveMixArgumentError('model', `output ${i} ('${tensor.name}') is not reachable from the input`);
    let name = ctx.materialize(value).name;
    // A graph input or an output that is also another output needs a node of its own to carry the name.
    if (!builder.producerOf(name) || outputNames.includes(name))
      name = builder.node('Identity', `${outputNames[i]}.identity`, [name], value.shape);
    builder.rename(name, outputNames[i]!);
  });

  const metadata = options.metadata ?? getWaveMixMetadata(model);
  const metadataProps = metadata
    ? [
        { key: ONNX_METADATA_KEY, value: JSON.stringify(metadata) },
        { key: ONNX_LAYOUT_KEY, value: 'NCHW' },
        { key: 'task', value: metadata.config.task },
      ]
    : [];
  const message = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'wavemix-js',
    producerVersion: PRODUCER_VERSION,
    docString: metadata?.name
      ? `WaveMix '${metadata.name}' exported by @wavemix/onnx`
      : 'WaveMix model exported by @wavemix/onnx',
    graph: builder.toGraphProto(options.graphName ?? model.name, [inputName], outputNames),
    metadataProps,
  });
  return onnx.ModelProto.encode(message).finish();
}

function unsupportedLayer(layer: TfLayer): WaveMixOnnxUnsupportedLayerError {
  const known = Object.keys(LAYER_CONVERTERS).join(', ');
  return new WaveMixOnnxUnsupportedLayerError(
    layer.name,
    layer.getClassName(),
    `no ONNX mapping for this layer class (supported: ${known})`,
  );
}
