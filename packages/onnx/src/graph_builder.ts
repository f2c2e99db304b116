/**
 * Accumulates an ONNX graph: nodes in topological order, float/int64 initializers, and the type
 * and shape of every value, so the serialized model names and types everything it uses.
 */
import { onnx, type OnnxTypes } from './proto';

/** A dimension: a size, a symbolic name (`batch`), or unknown. */
export type Dim = number | string | null;

export interface Initializer {
  name: string;
  dims: number[];
  /** Float32 weights stay mutable until serialization (BatchNorm folding rewrites them). */
  data: Float32Array | BigInt64Array;
}

export type AttributeValue = number | number[] | string | { floats: number[] } | { float: number };

export interface GraphNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly initializers = new Map<string, Initializer>();
  /** Shape of every value (graph inputs, node outputs, initializers). */
  readonly shapes = new Map<string, Dim[]>();
  private readonly used = new Set<string>();
  private readonly scalars = new Map<number, string>();

  /** A name nobody has taken yet, derived from `base`. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  addFloat(base: string, dims: number[], data: Float32Array): string {
    const name = this.uniqueName(base);
    this.initializers.set(name, { name, dims, data });
    this.shapes.set(name, dims);
    return name;
  }

  addInt64(base: string, values: number[]): string {
    const name = this.uniqueName(base);
    this.initializers.set(name, { name, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
    this.shapes.set(name, [values.length]);
    return name;
  }

  /** A float scalar initializer; one per value, shared by every node that uses it. */
  scalar(base: string, value: number): string {
    const cached = this.scalars.get(value);
    if (cached) return cached;
    const name = this.uniqueName(base);
    this.scalars.set(value, name);
    this.initializers.set(name, { name, dims: [], data: Float32Array.of(value) });
    this.shapes.set(name, []);
    return name;
  }

  /** Appends a node with one output of `shape`; returns the output's name. */
  node(
    op: string,
    name: string,
    inputs: string[],
    shape: Dim[],
    attributes: Record<string, AttributeValue> = {},
  ): string {
    const nodeName = this.uniqueName(name);
    const output = this.uniqueName(`${nodeName}_output`);
    this.nodes.push({ op, name: nodeName, inputs, outputs: [output], attributes });
    this.shapes.set(output, shape);
    return output;
  }

  /** Keeps names (the graph's outputs) out of `uniqueName`'s reach. */
  reserve(names: string[]): void {
    for (const name of names) this.used.add(name);
  }

  /** Renames a node output to a reserved name (e.g. `output`) everywhere it is used. */
  rename(from: string, name: string): void {
    if (from === name) return;
    for (const node of this.nodes) {
      node.inputs = node.inputs.map((v) => (v === from ? name : v));
      node.outputs = node.outputs.map((v) => (v === from ? name : v));
    }
    this.shapes.set(name, this.shapes.get(from)!);
    this.shapes.delete(from);
  }

  producerOf(value: string): GraphNode | undefined {
    return this.nodes.find((node) => node.outputs.includes(value));
  }

  valueInfo(name: string): OnnxTypes.IValueInfoProto {
    const dims = this.shapes.get(name);
    const isInt64 = this.initializers.get(name)?.data instanceof BigInt64Array;
    return {
      name,
      type: {
        tensorType: {
          elemType: isInt64 ? onnx.TensorProto.DataType.INT64 : onnx.TensorProto.DataType.FLOAT,
          shape: dims ? { dim: dims.map(toDimension) } : null,
        },
      },
    };
  }

  toGraphProto(name: string, inputs: string[], outputs: string[]): OnnxTypes.IGraphProto {
    const boundary = new Set([...inputs, ...outputs, ...this.initializers.keys()]);
    const intermediate = this.nodes.flatMap((node) => node.outputs).filter((v) => !boundary.has(v));
    return {
      name,
      node: this.nodes.map(toNodeProto),
      initializer: [...this.initializers.values()].map(toTensorProto),
      input: inputs.map((v) => this.valueInfo(v)),
      output: outputs.map((v) => this.valueInfo(v)),
      valueInfo: intermediate.map((v) => this.valueInfo(v)),
    };
  }
}

function toDimension(dim: Dim): OnnxTypes.TensorShapeProto.IDimension {
  if (typeof dim === 'number') return { dimValue: dim };
  if (typeof dim === 'string') return { dimParam: dim };
  return {};
}

function toTensorProto(initializer: Initializer): OnnxTypes.ITensorProto {
  const { name, dims, data } = initializer;
  // raw_data is little-endian; every platform tfjs and onnxruntime run on is too.
  return {
    name,
    dims,
    dataType: data instanceof BigInt64Array ? onnx.TensorProto.DataType.INT64 : onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function toAttribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

function toNodeProto(node: GraphNode): OnnxTypes.INodeProto {
  return {
    name: node.name,
    opType: node.op,
    input: node.inputs,
    output: node.outputs,
    attribute: Object.entries(node.attributes).map(([key, value]) => toAttribute(key, value)),
  };
}
