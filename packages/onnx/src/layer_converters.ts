/**
 * One converter per tfjs-layers class: takes the layer, the ONNX values of its inputs and its
 * output tensors, appends nodes, and returns the ONNX values of its outputs (NCHW throughout, so
 * no runtime Transpose is ever needed). Weights move to the PyTorch/ONNX layouts here.
 */
import type { layers as tfl, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { transposeData } from '@wavemix/models';
import { onnxAxis, onnxShape, type ConvertContext, type OnnxValue } from './convert_context';
import { WaveMixOnnxUnsupportedLayerError } from './errors';
import type { Dim } from './graph_builder';
import {
  convertBicubicUpsample,
  convertChannelSlice,
  convertDwt,
  convertPixelShuffle,
  convertUpsample,
  convertUpsample2x,
} from './wavelet_converters';

type Layer = tfl.Layer;
export type LayerConverter = (
  layer: Layer,
  inputs: OnnxValue[],
  outputs: SymbolicTensor[],
  ctx: ConvertContext,
) => OnnxValue[];

/** tfjs kernel (kh, kw, a, b) -> (b, a, kh, kw): Conv2d's (out, in, ...) and ConvTranspose2d's (in, out, ...). */
const KERNEL_TO_ONNX = [3, 2, 0, 1];

function unsupported(layer: Layer, detail: string): WaveMixOnnxUnsupportedLayerError {
  return new WaveMixOnnxUnsupportedLayerError(layer.name, layer.getClassName(), detail);
}

function config(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

function pair(value: unknown): [number, number] {
  return Array.isArray(value)
    ? [value[0] as number, (value[1] ?? value[0]) as number]
    : [value as number, value as number];
}

function requireWeight(layer: Layer, ctx: ConvertContext, weight: string): Float32Array {
  const data = ctx.weight(layer.name, weight);
  if (!data) throw unsupported(layer, `weight '${weight}' is missing`);
  return data;
}

function requireChannelsLast(layer: Layer): void {
  const format = config(layer)['dataFormat'];
  if (format !== undefined && format !== 'channelsLast')
    throw unsupported(layer, `dataFormat '${String(format)}' (only channelsLast models are exported)`);
}

/** Appends the activation a layer applies to `value` (`linear` appends nothing). */
export function activate(layer: Layer, value: OnnxValue, activation: unknown, ctx: ConvertContext): OnnxValue {
  const { builder } = ctx;
  const base = `${layer.name}.act`;
  const out = (op: string, inputs: string[]) => builder.node(op, base, inputs, value.shape);
  switch (activation ?? 'linear') {
    case 'linear':
      return value;
    case 'relu':
      return { name: out('Relu', [value.name]), shape: value.shape };
    case 'sigmoid':
      return { name: out('Sigmoid', [value.name]), shape: value.shape };
    case 'tanh':
      return { name: out('Tanh', [value.name]), shape: value.shape };
    case 'gelu': {
      // Exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)): the node sequence torch.onnx.export emits at opset < 20.
      const scaled = builder.node(
        'Div',
        `${base}.div`,
        [value.name, builder.scalar('gelu.sqrt2', Math.SQRT2)],
        value.shape,
      );
      const erf = builder.node('Erf', `${base}.erf`, [scaled], value.shape);
      const shifted = builder.node('Add', `${base}.add`, [erf, builder.scalar('gelu.one', 1)], value.shape);
      const product = builder.node('Mul', `${base}.mul`, [value.name, shifted], value.shape);
      return {
        name: builder.node('Mul', `${base}.half`, [product, builder.scalar('gelu.half', 0.5)], value.shape),
        shape: value.shape,
      };
    }
    default:
      throw unsupported(
        layer,
        `activation '${String(activation)}' has no ONNX mapping here (supported: linear, relu, sigmoid, tanh, gelu)`,
      );
  }
}

function spatialOut(size: Dim, kernel: number, stride: number, padTotal: number): Dim {
  return typeof size === 'number' ? Math.floor((size + padTotal - kernel) / stride) + 1 : null;
}

const convertConv2D: LayerConverter = (layer, [input], [output], ctx) => {
  requireChannelsLast(layer);
  const c = config(layer);
  const [kh, kw] = pair(c['kernelSize']);
  const [sh, sw] = pair(c['strides'] ?? 1);
  const [dh, dw] = pair(c['dilationRate'] ?? 1);
  if (((c['groups'] as number | undefined) ?? 1) !== 1) throw unsupported(layer, 'grouped convolution');
  const pads = [0, 0, 0, 0];
  const attributes: Record<string, number | number[] | string> = {
    dilations: [dh, dw],
    group: 1,
    kernel_shape: [kh, kw],
    strides: [sh, sw],
  };
  const pending = input!.pendingPads ?? [0, 0, 0, 0];
  const grow = (d: Dim | undefined, by: number): Dim => (typeof d === 'number' ? d + by : null);
  const inH = grow(input!.shape[2], pending[0] + pending[2]);
  const inW = grow(input!.shape[3], pending[1] + pending[3]);
  if (c['padding'] === 'same') {
    const total = [inH, inW].map((size, axis) => {
      const [k, s, d] = axis === 0 ? [kh, sh, dh] : [kw, sw, dw];
      if (s === 1) return d * (k - 1);
      if (typeof size !== 'number') return null;
      return Math.max((Math.ceil(size / s) - 1) * s + d * (k - 1) + 1 - size, 0);
    });
    // TF's 'same' puts the odd extra pixel after: SAME_UPPER when the size is unknown.
    if (total.includes(null)) {
      if (input!.pendingPads)
        throw unsupported(layer, "'same' strided conv after ZeroPadding2D on an input of unknown size");
      attributes['auto_pad'] = 'SAME_UPPER';
    } else {
      const [th, tw] = total as number[];
      pads.splice(0, 4, Math.floor(th! / 2), Math.floor(tw! / 2), th! - Math.floor(th! / 2), tw! - Math.floor(tw! / 2));
    }
  } else if (c['padding'] !== 'valid') {
    throw unsupported(layer, `padding '${String(c['padding'])}'`);
  }
  if (input!.pendingPads)
    input!.pendingPads.forEach((p, i) => {
      pads[i]! += p;
    });
  if (!attributes['auto_pad']) attributes['pads'] = pads;
  const kernel = requireWeight(layer, ctx, 'kernel');
  const inChannels = kernel.length / (kh * kw * (c['filters'] as number));
  const { builder } = ctx;
  const weight = builder.addFloat(
    `${layer.name}.weight`,
    [c['filters'] as number, inChannels, kh, kw],
    transposeData(kernel, [kh, kw, inChannels, c['filters'] as number], KERNEL_TO_ONNX),
  );
  const inputs = [input!.name, weight];
  const bias = ctx.weight(layer.name, 'bias');
  if (bias) inputs.push(builder.addFloat(`${layer.name}.bias`, [bias.length], bias));
  const shape = onnxShape(output!);
  if (!attributes['auto_pad']) {
    shape[2] ??= spatialOut(input!.shape[2]!, dh * (kh - 1) + 1, sh, pads[0]! + pads[2]!);
    shape[3] ??= spatialOut(input!.shape[3]!, dw * (kw - 1) + 1, sw, pads[1]! + pads[3]!);
  }
  const conv = { name: builder.node('Conv', layer.name, inputs, shape, attributes), shape };
  return [activate(layer, conv, c['activation'], ctx)];
};

const convertConv2DTranspose: LayerConverter = (layer, [input], [output], ctx) => {
  requireChannelsLast(layer);
  const c = config(layer);
  const [kh, kw] = pair(c['kernelSize']);
  const [sh, sw] = pair(c['strides'] ?? 1);
  if (pair(c['dilationRate'] ?? 1).some((d) => d !== 1)) throw unsupported(layer, 'dilated transposed convolution');
  if (kh < sh || kw < sw) throw unsupported(layer, 'kernel smaller than its stride');
  // tfjs 'same' gives exactly stride * size: total padding k - s, the smaller half first (PyTorch ConvTranspose2d(4, 2, padding=1)).
  const [ph, pw] = c['padding'] === 'same' ? [kh - sh, kw - sw] : [0, 0];
  if (c['padding'] !== 'same' && c['padding'] !== 'valid')
    throw unsupported(layer, `padding '${String(c['padding'])}'`);
  const filters = c['filters'] as number;
  const kernel = requireWeight(layer, ctx, 'kernel');
  const inChannels = kernel.length / (kh * kw * filters);
  const { builder } = ctx;
  const weight = builder.addFloat(
    `${layer.name}.weight`,
    [inChannels, filters, kh, kw],
    transposeData(kernel, [kh, kw, filters, inChannels], KERNEL_TO_ONNX),
  );
  const value = ctx.materialize(input!);
  const inputs = [value.name, weight];
  const bias = ctx.weight(layer.name, 'bias');
  if (bias) inputs.push(builder.addFloat(`${layer.name}.bias`, [bias.length], bias));
  const pads = [Math.floor(ph / 2), Math.floor(pw / 2), ph - Math.floor(ph / 2), pw - Math.floor(pw / 2)];
  const shape = onnxShape(output!);
  const attributes = { dilations: [1, 1], group: 1, kernel_shape: [kh, kw], pads, strides: [sh, sw] };
  const conv = { name: builder.node('ConvTranspose', layer.name, inputs, shape, attributes), shape };
  return [activate(layer, conv, c['activation'], ctx)];
};

const convertDense: LayerConverter = (layer, [input], [output], ctx) => {
  if (input!.shape.length !== 2)
    throw unsupported(layer, `Dense on a rank-${input!.shape.length} input (only [batch, features])`);
  const c = config(layer);
  const units = c['units'] as number;
  const kernel = requireWeight(layer, ctx, 'kernel');
  const { builder } = ctx;
  const inputs = [
    input!.name,
    builder.addFloat(
      `${layer.name}.weight`,
      [units, kernel.length / units],
      transposeData(kernel, [kernel.length / units, units], [1, 0]),
    ),
  ];
  const bias = ctx.weight(layer.name, 'bias');
  if (bias) inputs.push(builder.addFloat(`${layer.name}.bias`, [units], bias));
  const shape = onnxShape(output!);
  // Gemm with transB, as torch.onnx.export writes nn.Linear.
  const gemm = {
    name: builder.node('Gemm', layer.name, inputs, shape, { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }),
    shape,
  };
  return [activate(layer, gemm, c['activation'], ctx)];
};

const convertBatchNormalization: LayerConverter = (layer, [input], [output], ctx) => {
  const c = config(layer);
  const axis = c['axis'] as number;
  const rank = input!.shape.length;
  if (axis !== -1 && axis !== rank - 1) throw unsupported(layer, `normalising axis ${axis} (only the channel axis)`);
  const epsilon = c['epsilon'] as number;
  const mean = requireWeight(layer, ctx, 'moving_mean');
  const variance = requireWeight(layer, ctx, 'moving_variance');
  const gamma = ctx.weight(layer.name, 'gamma') ?? new Float32Array(mean.length).fill(1);
  const beta = ctx.weight(layer.name, 'beta') ?? new Float32Array(mean.length);
  const { builder } = ctx;
  const value = ctx.materialize(input!);
  const producer = builder.producerOf(value.name);
  const inputTensor = layer.inboundNodes[0]!.inputTensors[0]!;
  const fromConv = ['Conv2D', 'Conv2DTranspose'].includes(inputTensor.sourceLayer.getClassName());
  if (
    ctx.options.foldBatchNorm &&
    fromConv &&
    producer &&
    (producer.op === 'Conv' || producer.op === 'ConvTranspose') &&
    ctx.consumerCount(inputTensor) === 1
  ) {
    foldIntoConv(producer.op, producer.inputs, producer.name, { mean, variance, gamma, beta, epsilon }, ctx);
    return [value];
  }
  const initial = (name: string, data: Float32Array) => builder.addFloat(`${layer.name}.${name}`, [data.length], data);
  const inputs = [
    value.name,
    initial('weight', gamma),
    initial('bias', beta),
    initial('running_mean', mean),
    initial('running_var', variance),
  ];
  const shape = onnxShape(output!);
  return [
    { name: builder.node('BatchNormalization', layer.name, inputs, shape, { epsilon: { float: epsilon } }), shape },
  ];
};

interface BatchNormStatistics {
  mean: Float32Array;
  variance: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  epsilon: number;
}

/** Rewrites the conv's weight and bias so that it also applies the (inference-mode) BatchNorm. */
function foldIntoConv(
  op: string,
  convInputs: string[],
  convName: string,
  bn: BatchNormStatistics,
  ctx: ConvertContext,
): void {
  const weight = ctx.builder.initializers.get(convInputs[1]!)!;
  const data = weight.data as Float32Array;
  const channels = bn.mean.length;
  const scale = bn.gamma.map((g, o) => g / Math.sqrt(bn.variance[o]! + bn.epsilon));
  // Conv weight is (out, in, kh, kw); ConvTranspose weight is (in, out, kh, kw).
  const [d0, d1, kh, kw] = weight.dims as [number, number, number, number];
  const spatial = kh * kw;
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < d1; j++) {
      const s = scale[op === 'Conv' ? i : j]!;
      const start = (i * d1 + j) * spatial;
      for (let k = start; k < start + spatial; k++) data[k]! *= s;
    }
  }
  let biasName = convInputs[2];
  if (!biasName) {
    biasName = ctx.builder.addFloat(`${convName}.bias`, [channels], new Float32Array(channels));
    convInputs.push(biasName);
  }
  const bias = ctx.builder.initializers.get(biasName)!.data as Float32Array;
  for (let o = 0; o < channels; o++) bias[o] = (bias[o]! - bn.mean[o]!) * scale[o]! + bn.beta[o]!;
}

const convertActivation: LayerConverter = (layer, [input], _outputs, ctx) => [
  activate(layer, ctx.materialize(input!), config(layer)['activation'], ctx),
];

/** Dropout is the identity at inference. */
const passThrough: LayerConverter = (_layer, [input]) => [input!];

const elementwise =
  (op: string): LayerConverter =>
  (layer, inputs, [output], ctx) => {
    const values = inputs.map((v) => ctx.materialize(v));
    const shape = onnxShape(output!);
    let result = values[0]!.name;
    for (let i = 1; i < values.length; i++) result = ctx.builder.node(op, layer.name, [result, values[i]!.name], shape);
    return [{ name: result, shape }];
  };

const convertConcatenate: LayerConverter = (layer, inputs, [output], ctx) => {
  const shape = onnxShape(output!);
  const axis = onnxAxis((config(layer)['axis'] as number) ?? -1, shape.length);
  const names = inputs.map((v) => ctx.materialize(v).name);
  return [{ name: ctx.builder.node('Concat', layer.name, names, shape, { axis }), shape }];
};

const convertZeroPadding2D: LayerConverter = (layer, [input]) => {
  requireChannelsLast(layer);
  const [[top, bottom], [left, right]] = config(layer)['padding'] as [[number, number], [number, number]];
  const [t0, l0, b0, r0] = input!.pendingPads ?? [0, 0, 0, 0];
  return [{ name: input!.name, shape: input!.shape, pendingPads: [t0 + top, l0 + left, b0 + bottom, r0 + right] }];
};

const convertGlobalAveragePooling2D: LayerConverter = (layer, [input], [output], ctx) => {
  requireChannelsLast(layer);
  if (config(layer)['keepDims']) throw unsupported(layer, 'keepDims');
  const value = ctx.materialize(input!);
  const pooled = ctx.builder.node(
    'GlobalAveragePool',
    layer.name,
    [value.name],
    [value.shape[0]!, value.shape[1]!, 1, 1],
  );
  const shape = onnxShape(output!);
  return [{ name: ctx.builder.node('Flatten', `${layer.name}.flatten`, [pooled], shape, { axis: 1 }), shape }];
};

export const LAYER_CONVERTERS: Record<string, LayerConverter> = {
  Conv2D: convertConv2D,
  Conv2DTranspose: convertConv2DTranspose,
  Dense: convertDense,
  BatchNormalization: convertBatchNormalization,
  Activation: convertActivation,
  Dropout: passThrough,
  WaveMixDropout: passThrough,
  SpatialDropout2D: passThrough,
  Add: elementwise('Add'),
  Multiply: elementwise('Mul'),
  Concatenate: convertConcatenate,
  ZeroPadding2D: convertZeroPadding2D,
  GlobalAveragePooling2D: convertGlobalAveragePooling2D,
  DWT2D: convertDwt,
  ChannelSlice: convertChannelSlice,
  BicubicUpsample2x: convertBicubicUpsample,
  WaveMixUpsample: convertUpsample,
  WaveMixUpsample2x: convertUpsample2x,
  PixelShuffle: convertPixelShuffle,
};
