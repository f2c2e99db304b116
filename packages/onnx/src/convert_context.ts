/**
 * What the per-layer converters share: the graph under construction, the layer's weights (read
 * beforehand, asynchronously), and the NCHW value each tfjs tensor became.
 */
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { GraphBuilder, type Dim } from './graph_builder';

/** An ONNX value standing for a tfjs tensor: always NCHW (rank 4) or [b, features] (rank 2). */
export interface OnnxValue {
  name: string;
  shape: Dim[];
  /**
   * ZeroPadding2D not yet applied, [top, left, bottom, right]: a Conv folds it into its `pads`
   * (as torch.onnx.export does for Conv2d(padding=1)); any other consumer gets a Pad node.
   */
  pendingPads?: [number, number, number, number];
}

export interface ConvertOptions {
  foldBatchNorm: boolean;
}

export class ConvertContext {
  readonly builder = new GraphBuilder();
  /** Haar filter initializers, shared by every DWT with the same channel count. */
  readonly haarFilters = new Map<string, string>();

  constructor(
    readonly options: ConvertOptions,
    /** layer name -> weight name (`kernel`, `bias`, `gamma`, ...) -> a private copy of its values. */
    private readonly weights: Map<string, Map<string, Float32Array>>,
    /** tfjs tensor id -> how many layers (and model outputs) consume it. */
    private readonly consumers: Map<number, number>,
  ) {}

  weight(layerName: string, weightName: string): Float32Array | undefined {
    return this.weights.get(layerName)?.get(weightName);
  }

  consumerCount(tensor: SymbolicTensor): number {
    return this.consumers.get(tensor.id) ?? 0;
  }

  /** The value with any pending ZeroPadding2D applied as a Pad node. */
  materialize(value: OnnxValue): OnnxValue {
    if (!value.pendingPads) return value;
    const [top, left, bottom, right] = value.pendingPads;
    const pads = this.builder.addInt64(`${value.name}_pads`, [0, 0, top, left, 0, 0, bottom, right]);
    const grow = (d: Dim, by: number) => (typeof d === 'number' ? d + by : null);
    const shape = [
      value.shape[0]!,
      value.shape[1]!,
      grow(value.shape[2]!, top + bottom),
      grow(value.shape[3]!, left + right),
    ];
    return {
      name: this.builder.node('Pad', `${value.name}_pad`, [value.name, pads], shape, { mode: 'constant' }),
      shape,
    };
  }
}

/** tfjs NHWC (or [b, features]) symbolic shape -> the ONNX value's NCHW dims; batch is `batch`. */
export function onnxShape(tensor: SymbolicTensor): Dim[] {
  const dims: Dim[] = tensor.shape.map((d) => d ?? null);
  dims[0] = 'batch';
  return dims.length === 4 ? [dims[0], dims[3]!, dims[1]!, dims[2]!] : dims;
}

/** A NHWC axis of a rank-`rank` tfjs tensor -> the same axis in NCHW. */
export function onnxAxis(axis: number, rank: number): number {
  const positive = axis < 0 ? axis + rank : axis;
  if (rank !== 4) return positive;
  return [0, 2, 3, 1][positive]!;
}
