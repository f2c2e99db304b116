/**
 * Structural checks in the spirit of `onnx.checker.check_model` (which needs Python): the ones a
 * hand-built graph can get wrong. Returns a list of problems; empty means the model passed.
 */
import { onnx, type OnnxTypes } from './proto';

/** Highest default-domain opset the checks accept (onnxruntime 1.30 implements more; 21 is IR 10's). */
const MAX_OPSET = 21;
/** Minimum IR version for each opset of the default domain (onnx/helper.py VERSION_TABLE). */
const IR_FOR_OPSET: Array<[number, number]> = [
  [21, 10],
  [19, 9],
  [17, 8],
  [15, 8],
  [13, 7],
  [9, 4],
  [1, 3],
];

function checkTyped(value: OnnxTypes.IValueInfoProto, what: string, problems: string[]): void {
  if (!value.name) problems.push(`${what} has no name`);
  const tensor = value.type?.tensorType;
  if (!tensor?.elemType) problems.push(`${what} '${value.name}' has no tensor element type`);
  else if (!tensor.shape) problems.push(`${what} '${value.name}' has no shape`);
}

export interface CheckOnnxOptions {
  /**
   * Every node output must have a type in value_info (default true). Stricter than onnx.checker,
   * which leaves intermediate types to shape inference; torch.onnx.export's graphs omit them.
   */
  requireValueInfo?: boolean;
}

export function checkOnnxModel(bytes: Uint8Array, options: CheckOnnxOptions = {}): string[] {
  const requireValueInfo = options.requireValueInfo ?? true;
  const problems: string[] = [];
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    return [`not a ModelProto: ${(error as Error).message}`];
  }
  const ir = Number(model.irVersion);
  if (!(ir >= 3)) problems.push(`ir_version ${ir} is missing or too old`);
  const domains = new Set<string>();
  for (const opset of model.opsetImport) {
    const domain = opset.domain ?? '';
    const version = Number(opset.version);
    if (domains.has(domain)) problems.push(`opset_import lists domain '${domain}' twice`);
    domains.add(domain);
    if (domain === '' || domain === 'ai.onnx') {
      if (!Number.isInteger(version) || version < 1 || version > MAX_OPSET)
        problems.push(`opset ${version} of the default domain is not a released opset <= ${MAX_OPSET}`);
      const needed = IR_FOR_OPSET.find(([op]) => version >= op)?.[1] ?? 3;
      if (ir < needed) problems.push(`opset ${version} needs ir_version >= ${needed}, the model says ${ir}`);
    }
  }
  if (!domains.has('') && !domains.has('ai.onnx')) problems.push('opset_import has no entry for the default domain');
  const graph = model.graph;
  if (!graph) return [...problems, 'the model has no graph'];
  if (!graph.name) problems.push('the graph has no name');

  const available = new Set<string>();
  for (const initializer of graph.initializer ?? []) {
    if (!initializer.name) problems.push('an initializer has no name');
    else if (available.has(initializer.name)) problems.push(`initializer '${initializer.name}' is defined twice`);
    if (!initializer.dataType) problems.push(`initializer '${initializer.name}' has no data type`);
    const count = (initializer.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
    const width = initializer.dataType === onnx.TensorProto.DataType.INT64 ? 8 : 4;
    if (initializer.rawData && initializer.rawData.length !== count * width) {
      problems.push(
        `initializer '${initializer.name}' holds ${initializer.rawData.length} bytes for dims [${initializer.dims?.join(', ')}]`,
      );
    }
    available.add(initializer.name ?? '');
  }
  for (const input of graph.input ?? []) {
    checkTyped(input, 'graph input', problems);
    available.add(input.name ?? '');
  }
  const typed = new Set((graph.valueInfo ?? []).map((v) => v.name ?? ''));
  for (const value of graph.valueInfo ?? []) checkTyped(value, 'value_info', problems);
  const outputs = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  for (const output of graph.output ?? []) checkTyped(output, 'graph output', problems);

  const nodeNames = new Set<string>();
  for (const [i, node] of (graph.node ?? []).entries()) {
    const label = `node ${i} (${node.opType || '?'} '${node.name ?? ''}')`;
    if (!node.opType) problems.push(`${label} has no op_type`);
    if (node.name) {
      if (nodeNames.has(node.name)) problems.push(`${label}: node name used twice`);
      nodeNames.add(node.name);
    }
    for (const input of node.input ?? []) {
      // An empty name marks an omitted optional input.
      if (input !== '' && !available.has(input)) problems.push(`${label} uses '${input}' before anything produces it`);
    }
    for (const output of node.output ?? []) {
      if (!output) continue;
      if (available.has(output)) problems.push(`${label} produces '${output}', which already exists (not SSA)`);
      available.add(output);
      if (requireValueInfo && !typed.has(output) && !outputs.has(output))
        problems.push(`${label}: output '${output}' has no type (value_info)`);
    }
  }
  for (const output of outputs) if (!available.has(output)) problems.push(`graph output '${output}' is never produced`);
  return problems;
}

/** How many nodes of each op_type the graph has (for comparing graphs, e.g. with torch.onnx.export's). */
export function onnxOpCounts(bytes: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of onnx.ModelProto.decode(bytes).graph?.node ?? [])
    counts[node.opType!] = (counts[node.opType!] ?? 0) + 1;
  return counts;
}
