/**
 * `tf.variableGrads` with the same values and a lower memory peak.
 *
 * tfjs keeps every tensor a kernel saved for its gradient, and every intermediate gradient, until
 * the whole backward pass ends, so a training step's peak is its forward activations plus all its
 * gradients (W1: 774 MiB live after the forward pass, 1,593 MiB at the end of the backward pass).
 * Here each tape node's saved tensors and its outputs' gradients are disposed as soon as the node
 * has been differentiated (nothing later in the reverse walk reads them), the saved tensors of
 * nodes off the path from the variables to the loss right after the forward pass, and those of
 * kernels whose gradient reads only their shapes (SHAPE_ONLY_GRADIENTS: Add keeps both operands,
 * Mean its input, Reshape its input, ... for their shapes) as they are recorded: the tensor objects
 * keep their shapes, their buffers go (W1: 288 MiB of the forward pass's 774).
 * The kernels that run, their order and their inputs are those of `tf.variableGrads`: the
 * gradients are bit for bit the same.
 *
 * It reads the engine's tape (`startTape`, `state.activeTape`), which tfjs does not export as API;
 * the tests pin the behaviour against `tf.variableGrads`. Inside another gradient computation
 * (higher-order gradients: the outer pass still needs the tape) it is `tf.variableGrads`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError, WaveMixError } from './errors';

type GradientMap = Record<string, () => tf.Tensor>;

/**
 * Kernels whose registered gradients (tfjs-core 4.x's, and our wasm/webgpu wrappers of Mean and
 * Sum) read only the shape, rank and dtype of the inputs they save. A gradient that reads one's
 * values anyway fails loudly (a disposed tensor), never silently.
 */
export const SHAPE_ONLY_GRADIENTS: ReadonlySet<string> = new Set([
  'Add',
  'Sub',
  'Reshape',
  'Mean',
  'Sum',
  'Concat',
  'PadV2',
]);

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => GradientMap;
}

/** The engine's tape array, releasing the buffers of shape-only saves as nodes are recorded. */
class ReleasingTape extends Array<TapeNode> {
  override push(...nodes: TapeNode[]): number {
    for (const node of nodes) {
      if (SHAPE_ONLY_GRADIENTS.has(node.kernelName)) for (const saved of node.saved ?? []) saved.dispose();
    }
    return super.push(...nodes);
  }
}

interface EngineTape {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  registeredVariables: Record<string, tf.Variable>;
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
}

function engineTape(): EngineTape {
  const engine = tf.engine() as unknown as Partial<EngineTape>;
  if (
    typeof engine.startTape !== 'function' ||
    typeof engine.endTape !== 'function' ||
    typeof engine.scopedRun !== 'function' ||
    typeof engine.state?.gradientDepth !== 'number'
  ) {
    throw new WaveMixError(
      'leanVariableGrads: this @tensorflow/tfjs-core has no gradient tape where 4.x keeps it (engine.startTape, state.gradientDepth); use tf.variableGrads',
    );
  }
  return engine as EngineTape;
}

/**
 * The nodes on a path from `xs` to `y`, in tape order, with their inputs pruned to those that
 * depend on `xs` (tfjs' own `getFilteredNodesXToY`, which the package does not export).
 */
function nodesFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromXs = new Set(xs.map((x) => x.id));
  const nodeFromXs = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromXs.has(input.id))) {
      nodeFromXs.add(node.id);
      for (const output of node.outputs) fromXs.add(output.id);
    }
  }
  const leadsToY = new Set([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((output) => leadsToY.has(output.id))) {
      nodeToY.add(node.id);
      for (const input of Object.values(node.inputs)) leadsToY.add(input.id);
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodeFromXs.has(node.id) || !nodeToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, input] of Object.entries(node.inputs)) if (fromXs.has(input.id)) inputs[name] = input;
    filtered.push({ ...node, inputs });
  }
  return filtered;
}

/** Differentiates one node: its inputs' gradients (kept past the tidy), checked as tfjs checks them. */
function nodeGradients(node: TapeNode, dys: Array<tf.Tensor | null>): Array<[tf.Tensor, tf.Tensor]> {
  const inputs = Object.entries(node.inputs);
  if (node.gradient == null) {
    throw new WaveMixError(`Cannot compute gradient: no gradient function is registered for ${node.kernelName}`);
  }
  const gradient = node.gradient;
  const dxs = tf.tidy(() => {
    const gradients = gradient(dys);
    const result: tf.Tensor[] = [];
    for (const [name, x] of inputs) {
      if (!(name in gradients)) {
        throw new WaveMixError(
          `Cannot backprop through input ${name} of ${node.kernelName}; its gradient gives ${Object.keys(gradients).join(', ')}`,
        );
      }
      const dx = gradients[name]!();
      if (dx.dtype !== 'float32') {
        throw new WaveMixError(`The gradient of ${node.kernelName}'s input ${name} is ${dx.dtype}, not float32`);
      }
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new WaveMixError(
          `The gradient of ${node.kernelName}'s input ${name} has shape [${dx.shape}], the input [${x.shape}]`,
        );
      }
      result.push(dx);
    }
    return result;
  });
  return dxs.map((dx, i) => [inputs[i]![1], dx]);
}

/** The reverse walk of tfjs' `backpropagateGradients`, releasing what each node no longer needs. */
function backpropagate(filtered: TapeNode[], y: tf.Tensor, xs: tf.Tensor[]): Map<number, tf.Tensor> {
  const accumulated = new Map<number, tf.Tensor>([[y.id, tf.ones(y.shape)]]);
  const wanted = new Set(xs.map((x) => x.id));
  // A gradient function may return its dy (or one tensor for two inputs): dispose a tensor only
  // once no entry of the map holds it.
  const release = (tensor: tf.Tensor) => {
    for (const held of accumulated.values()) if (held === tensor) return;
    tensor.dispose();
  };
  for (let i = filtered.length - 1; i >= 0; i--) {
    const node = filtered[i]!;
    const dys = node.outputs.map((output) => accumulated.get(output.id) ?? null);
    for (const [x, dx] of nodeGradients(node, dys)) {
      const current = accumulated.get(x.id);
      if (current == null) {
        accumulated.set(x.id, dx);
      } else {
        accumulated.set(x.id, tf.add(current, dx));
        release(current);
        release(dx);
      }
    }
    // Every consumer of this node's outputs came later on the tape and is done.
    for (const output of node.outputs) {
      const dy = accumulated.get(output.id);
      if (dy == null || wanted.has(output.id)) continue;
      accumulated.delete(output.id);
      release(dy);
    }
    for (const saved of node.saved ?? []) saved.dispose();
  }
  return accumulated;
}

/**
 * Same contract as `tf.variableGrads(f, varList)`: the loss `value` (a scalar) and the gradient of
 * each trainable variable by name (those of `varList`, or every registered variable). Frees saved
 * activations and intermediate gradients during the backward pass instead of after it.
 */
export function leanVariableGrads(
  f: () => tf.Scalar,
  varList?: tf.Variable[],
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  if (typeof f !== 'function') throw new WaveMixArgumentError('f', 'must be a function returning the loss');
  if (varList != null && (!Array.isArray(varList) || !varList.every((v) => v instanceof tf.Variable))) {
    throw new WaveMixArgumentError('varList', 'must be an array of tf.Variable');
  }
  const engine = engineTape();
  if (engine.state.gradientDepth > 0) return tf.variableGrads(f, varList);

  const variables = varList ?? Object.values(engine.registeredVariables);
  const trainable = variables.filter((v) => v.trainable);
  if (trainable.length === 0) {
    throw new WaveMixArgumentError('varList', 'has no trainable variables to differentiate with respect to');
  }
  const releaseTape = () => {
    // dispose is idempotent: whatever the walk already freed is skipped.
    for (const node of engine.state.activeTape ?? []) for (const saved of node.saved ?? []) saved.dispose();
    engine.state.activeTape = null;
  };
  let y: tf.Scalar;
  try {
    y = engine.scopedRun(
      () => {
        engine.startTape();
        engine.state.activeTape = new ReleasingTape();
      },
      () => engine.endTape(),
      () => tf.tidy('forward', f),
    );
  } catch (error) {
    // A forward pass that throws leaves tf.variableGrads' tape holding its saved tensors.
    releaseTape();
    throw error;
  }
  const tape = engine.state.activeTape ?? [];
  try {
    if (!(y instanceof tf.Tensor) || y.rank !== 0) {
      throw new WaveMixArgumentError(
        'f',
        `must return a scalar tensor (the loss), got ${y instanceof tf.Tensor ? `shape [${y.shape}]` : typeof y}`,
      );
    }
    const filtered = nodesFromXsToY(tape, trainable, y);
    // Saved for nodes the backward pass will not visit: free before it starts.
    const visited = new Set(filtered.map((node) => node.id));
    for (const node of tape) if (!visited.has(node.id)) for (const saved of node.saved ?? []) saved.dispose();
    const grads = tf.tidy('backward', () => {
      const accumulated = backpropagate(filtered, y, trainable);
      const named: tf.NamedTensorMap = {};
      for (const v of trainable) {
        const grad = accumulated.get(v.id);
        if (grad != null) named[v.name] = grad;
      }
      return named;
    });
    if (Object.keys(grads).length === 0) {
      throw new WaveMixArgumentError('f', 'the loss does not depend on any of the variables (no gradient is defined)');
    }
    if (varList != null) for (const v of varList) if (!v.trainable) grads[v.name] = null as unknown as tf.Tensor;
    return { value: y, grads };
  } catch (error) {
    if (y instanceof tf.Tensor) y.dispose();
    throw error;
  } finally {
    // Whatever the walk did not reach (an error part-way) is freed here.
    releaseTape();
  }
}
