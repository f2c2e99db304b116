/**
 * The rewrites that turn a feed-forward unit's `Conv2D 1x1 -> GELU -> Conv2D 1x1` (Dropout already
 * removed) into one `PointwiseMlp` layer (@wavemix/layers): one fused kernel on wasm, where the
 * 2x-wide hidden activations stay in cache instead of going through memory (issue 16); and that
 * have such a unit read a channel concatenation's two parts where they lie.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PointwiseMlp } from '@wavemix/layers';
import type { GraphLayer, InferenceGraph } from './inference_graph';
import type { RewriteRule } from './rewrite_rules';

const isOnes = (value: unknown) => (Array.isArray(value) ? value.every((v) => v === 1) : value == null || value === 1);

/**
 * A channels-last 1x1 Conv2D with stride and dilation 1, weights `kernel` (+ `bias`), called once,
 * whose `activation` (linear or gelu, as asked) is the only one, read by one layer only.
 */
function isPointwiseConv(
  graph: InferenceGraph,
  layer: GraphLayer | undefined,
  activations: readonly string[],
): layer is GraphLayer {
  if (layer?.className !== 'Conv2D' || layer.inboundNodes.length !== 1) return false;
  const { dataFormat, activation, strides, dilationRate } = layer.config;
  if (dataFormat != null && dataFormat !== 'channelsLast') return false;
  if (!activations.includes(String(activation ?? 'linear')) || !isOnes(strides) || !isOnes(dilationRate)) return false;
  const weights = graph.weights(layer.name);
  const names = weights.map((w) => w.name);
  const plain = names[0] === 'kernel' && (names.length === 1 || (names.length === 2 && names[1] === 'bias'));
  const kernel = weights[0]?.value;
  return (
    plain && kernel!.rank === 4 && kernel!.shape[0] === 1 && kernel!.shape[1] === 1 && graph.consumers(layer.name) === 1
  );
}

const isGeluActivation = (layer: GraphLayer | undefined): layer is GraphLayer =>
  layer?.className === 'Activation' && layer.config['activation'] === 'gelu' && layer.inboundNodes.length === 1;

/** The 1x1 conv's kernel as [in, out] and its bias (zeros when it has none). */
function matrixAndBias(graph: InferenceGraph, conv: GraphLayer): [tf.Tensor2D, tf.Tensor1D] {
  const kernel = graph.weight(conv.name, 'kernel')!;
  const [, , cin, cout] = kernel.shape as [number, number, number, number];
  const bias = graph.weight(conv.name, 'bias') ?? tf.zeros([cout]);
  return [tf.reshape(kernel, [cin, cout]), bias as tf.Tensor1D];
}

/**
 * `Conv2D 1x1 -> Activation('gelu') -> Conv2D 1x1` (or a first conv with `activation: 'gelu'`),
 * each read only by the next and the second without activation: one PointwiseMlp under the second
 * conv's name (so whatever read it needs no rewiring), reading the first conv's input. Runs after
 * remove-identity, which takes the unit's Dropout out from between them.
 */
export const fusePointwiseMlp: RewriteRule = {
  name: 'fuse-pointwise-mlp',
  apply(graph) {
    let count = 0;
    for (const second of [...graph.layers]) {
      if (!isPointwiseConv(graph, second, ['linear'])) continue;
      let gelu = graph.soleProducer(second);
      let first: GraphLayer | undefined;
      if (isGeluActivation(gelu) && graph.consumers(gelu.name) === 1) {
        first = graph.soleProducer(gelu);
        if (!isPointwiseConv(graph, first, ['linear'])) continue;
      } else {
        first = gelu;
        gelu = undefined;
        if (!isPointwiseConv(graph, first, ['gelu'])) continue;
      }
      const [w1, b1] = matrixAndBias(graph, first);
      const [w2, b2] = matrixAndBias(graph, second);
      // The weights first: bypass() frees weights a rule gave `first` (b1 may be one of them).
      graph.replaceWeights(second.name, [
        { name: 'w1', value: w1 },
        { name: 'b1', value: b1 },
        { name: 'w2', value: w2 },
        { name: 'b2', value: b2 },
      ]);
      if (gelu) graph.bypass(gelu);
      graph.bypass(first);
      graph.retype(second, PointwiseMlp.className, { hiddenChannels: w1.shape[1], outChannels: w2.shape[1] });
      count++;
    }
    return count;
  },
};

/**
 * `Concatenate(axis -1) [a, b] -> PointwiseMlp`, the concatenation read by the unit alone: the
 * PointwiseMlp takes [a, b] itself (same weights), so in a wave block of level >= 2 the DWT
 * level X_k and the deeper unit's output y are read where they lie by the first product of the
 * unit on concat[X_k, y], and the concatenation is never written. Runs after fuse-pointwise-mlp.
 */
export const readConcatInPointwiseMlp: RewriteRule = {
  name: 'read-concat-in-pointwise-mlp',
  apply(graph) {
    let count = 0;
    for (const mlp of [...graph.layers]) {
      if (mlp.className !== PointwiseMlp.className) continue;
      const concat = graph.soleProducer(mlp);
      if (concat?.className !== 'Concatenate' || graph.consumers(concat.name) !== 1) continue;
      const axis = concat.config['axis'] ?? -1;
      if ((axis !== -1 && axis !== 3) || concat.inboundNodes[0]!.length !== 2) continue;
      graph.inlineInputs(mlp, concat);
      count++;
    }
    return count;
  },
};
