/**
 * The WaveMix layers (`@wavemix/layers`) as standard ONNX ops: the Haar DWT as grouped 2x2
 * stride-2 convolutions with fixed filters, ChannelSlice as Slice, BicubicUpsample2x as Resize.
 */
import type { layers as tfl, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { onnxShape, type ConvertContext, type OnnxValue } from './convert_context';
import { WaveMixOnnxUnsupportedLayerError } from './errors';
import type { AttributeValue, Dim } from './graph_builder';

type Converter = (layer: tfl.Layer, inputs: OnnxValue[], outputs: SymbolicTensor[], ctx: ConvertContext) => OnnxValue[];

/**
 * 2x2 Haar filters on a block [[a, b], [c, d]] (rows = H), cross-correlated as ONNX Conv does:
 * LL = (a+b+c+d)/2, LH = (a+b-c-d)/2, HL = (a-b+c-d)/2, HH = (a-b-c+d)/2 (specification §1 (docs/specification.md)).
 */
const HAAR = {
  LL: [0.5, 0.5, 0.5, 0.5],
  LH: [0.5, 0.5, -0.5, -0.5],
  HL: [0.5, -0.5, 0.5, -0.5],
  HH: [0.5, -0.5, -0.5, 0.5],
} as const;
type Band = keyof typeof HAAR;

/** Grouped-conv weight (channels * bands.length, 1, 2, 2): each input channel gets `bands` in order. */
function haarWeight(ctx: ConvertContext, channels: number, bands: Band[]): string {
  const key = `${bands.join('')}x${channels}`;
  const cached = ctx.haarFilters.get(key);
  if (cached) return cached;
  const data = new Float32Array(channels * bands.length * 4);
  for (let c = 0; c < channels; c++) {
    bands.forEach((band, i) => data.set(HAAR[band], (c * bands.length + i) * 4));
  }
  const name = ctx.builder.addFloat(`haar.${bands.join('_')}.${channels}`, [channels * bands.length, 1, 2, 2], data);
  ctx.haarFilters.set(key, name);
  return name;
}

const half = (d: Dim): Dim => (typeof d === 'number' ? Math.ceil(d / 2) : null);

/**
 * One level: `[LL_0..LL_{k-1}, LH_0, HL_0, HH_0, LH_1, ...]` (layout `wavemix`: one depthwise conv
 * for LL, one grouped conv with 3 filters per channel for the interleaved highs) or band-major
 * (layout `bands`: one depthwise conv per band). Odd (or unknown) sizes get one zero row/column at
 * the end, pytorch_wavelets' zero mode; even sizes need none.
 */
function dwtLevel(
  input: OnnxValue,
  name: string,
  layout: string,
  ctx: ConvertContext,
): { level: OnnxValue; low: OnnxValue } {
  const { builder } = ctx;
  const [batch, channels, height, width] = input.shape as [Dim, number, Dim, Dim];
  const padEnd = (d: Dim) => (typeof d === 'number' && d % 2 === 0 ? 0 : 1);
  const pads = [0, 0, padEnd(height), padEnd(width)];
  const outShape = (c: number): Dim[] => [batch, c, half(height), half(width)];
  const conv = (bands: Band[], suffix: string) =>
    builder.node(
      'Conv',
      `${name}.${suffix}`,
      [input.name, haarWeight(ctx, channels, bands)],
      outShape(channels * bands.length),
      {
        dilations: [1, 1],
        group: channels,
        kernel_shape: [2, 2],
        pads,
        strides: [2, 2],
      },
    );
  const low = conv(['LL'], 'll');
  const highs =
    layout === 'wavemix'
      ? [conv(['LH', 'HL', 'HH'], 'highs')]
      : (['LH', 'HL', 'HH'] as Band[]).map((band) => conv([band], band.toLowerCase()));
  const shape = outShape(4 * channels);
  return {
    level: { name: builder.node('Concat', `${name}.concat`, [low, ...highs], shape, { axis: 1 }), shape },
    low: { name: low, shape: outShape(channels) },
  };
}

export const convertDwt: Converter = (layer, [input], outputs, ctx) => {
  const config = layer.getConfig() as { levels?: number; layout?: string };
  const levels = config.levels ?? 1;
  const layout = config.layout ?? 'wavemix';
  if (layout !== 'wavemix' && layout !== 'bands') {
    throw new WaveMixOnnxUnsupportedLayerError(layer.name, layer.getClassName(), `layout '${layout}'`);
  }
  const result: OnnxValue[] = [];
  let source = ctx.materialize(input!);
  for (let level = 1; level <= levels; level++) {
    const { level: value, low } = dwtLevel(
      source,
      levels === 1 ? layer.name : `${layer.name}.level${level}`,
      layout,
      ctx,
    );
    const declared = onnxShape(outputs[level - 1]!);
    result.push({ name: value.name, shape: declared.map((d, i) => d ?? value.shape[i]!) });
    source = low;
  }
  return result;
};

export const convertChannelSlice: Converter = (layer, [input], [output], ctx) => {
  const { begin, size } = layer.getConfig() as { begin: number; size: number };
  const { builder } = ctx;
  const value = ctx.materialize(input!);
  const inputs = [
    value.name,
    builder.addInt64(`${layer.name}.starts`, [begin]),
    builder.addInt64(`${layer.name}.ends`, [begin + size]),
    builder.addInt64(`${layer.name}.axes`, [1]),
  ];
  const shape = onnxShape(output!);
  return [{ name: builder.node('Slice', layer.name, inputs, shape), shape }];
};

function resize(
  layer: tfl.Layer,
  input: OnnxValue,
  output: SymbolicTensor,
  ctx: ConvertContext,
  scale: number,
  mode: string,
): OnnxValue[] {
  const { builder } = ctx;
  const value = ctx.materialize(input);
  const scales = builder.addFloat(`${layer.name}.scales`, [4], Float32Array.of(1, 1, scale, scale));
  const shape = onnxShape(output);
  // What torch.onnx.export writes for `Upsample(scale_factor, mode, align_corners=False)`.
  const attributes: Record<string, AttributeValue> | null =
    mode === 'nearest'
      ? { coordinate_transformation_mode: 'asymmetric', mode: 'nearest', nearest_mode: 'floor' }
      : mode === 'bilinear'
        ? { coordinate_transformation_mode: 'half_pixel', mode: 'linear' }
        : mode === 'bicubic'
          ? { coordinate_transformation_mode: 'half_pixel', cubic_coeff_a: { float: -0.75 }, mode: 'cubic' }
          : null;
  if (!attributes)
    throw new WaveMixOnnxUnsupportedLayerError(layer.name, layer.getClassName(), `interpolation mode '${mode}'`);
  return [{ name: builder.node('Resize', layer.name, [value.name, '', scales], shape, attributes), shape }];
}

/** PyTorch `Upsample(scale_factor=2, mode='bicubic', align_corners=False)`. */
export const convertBicubicUpsample: Converter = (layer, [input], [output], ctx) =>
  resize(layer, input!, output!, ctx, 2, 'bicubic');

/** `WaveMixUpsample2x` (nearest or bilinear, x2). */
export const convertUpsample2x: Converter = (layer, [input], [output], ctx) =>
  resize(layer, input!, output!, ctx, 2, (layer.getConfig() as { mode: string }).mode);

/** `WaveMixUpsample` (bicubic or bilinear, integer scale). */
export const convertUpsample: Converter = (layer, [input], [output], ctx) => {
  const { scale, mode } = layer.getConfig() as { scale?: number; mode?: string };
  return resize(layer, input!, output!, ctx, scale ?? 2, mode ?? 'bicubic');
};

/** PyTorch `PixelShuffle(r)`: channel c*r*r + i*r + j moves to (h*r + i, w*r + j), ONNX DepthToSpace mode CRD. */
export const convertPixelShuffle: Converter = (layer, [input], [output], ctx) => {
  const blocksize = (layer.getConfig() as { upscaleFactor?: number }).upscaleFactor ?? 2;
  const value = ctx.materialize(input!);
  const shape = onnxShape(output!);
  return [
    { name: ctx.builder.node('DepthToSpace', layer.name, [value.name], shape, { blocksize, mode: 'CRD' }), shape },
  ];
};
