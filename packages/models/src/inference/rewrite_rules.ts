/**
 * The inference rewrites optimizeForInference applies. Each rule rewrites every exact match of its
 * pattern in an InferenceGraph and returns how many it rewrote; anything else is left as it is.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ChannelAffine, Upsample2x } from '@wavemix/layers';
import { type GraphLayer, type InferenceGraph, WaveMixInferenceGraphError } from './inference_graph';

export interface RewriteRule {
  /** Names the rule in reports. */
  name: string;
  /** Rewrites every match; returns the number of rewrites. Runs inside `tf.tidy`. */
  apply(graph: InferenceGraph): number;
}

/** Layers that pass their input through unchanged when not training. */
const IDENTITY_AT_INFERENCE = new Set([
  'Dropout',
  'WaveMixDropout',
  'SpatialDropout1D',
  'GaussianDropout',
  'GaussianNoise',
  'AlphaDropout',
]);

function isIdentityAtInference(layer: GraphLayer): boolean {
  if (IDENTITY_AT_INFERENCE.has(layer.className)) return true;
  return layer.className === 'Activation' && layer.config['activation'] === 'linear';
}

/** Dropout and the other layers that are the identity at inference (`Activation('linear')`) disappear. */
export const removeIdentityLayers: RewriteRule = {
  name: 'remove-identity',
  apply(graph) {
    let count = 0;
    for (const layer of [...graph.layers]) {
      if (!isIdentityAtInference(layer) || layer.inboundNodes.length !== 1 || layer.inboundNodes[0]!.length !== 1) {
        continue;
      }
      // A model whose output would be its own input tensor cannot be built; keep that identity.
      const producer = graph.layer(layer.inboundNodes[0]![0]![0]);
      if (graph.isModelOutput(layer.name) && producer?.className === 'InputLayer') continue;
      graph.bypass(layer);
      count++;
    }
    return count;
  },
};

const FOLDABLE_CONVS = new Set(['Conv2D', 'Conv2DTranspose']);

/** A channels-last Conv2D / Conv2DTranspose without activation, called once, read by one layer only. */
function isFoldableConv(graph: InferenceGraph, layer: GraphLayer | undefined): layer is GraphLayer {
  if (!layer || !FOLDABLE_CONVS.has(layer.className) || layer.inboundNodes.length !== 1) return false;
  const { dataFormat, activation } = layer.config;
  if ((dataFormat != null && dataFormat !== 'channelsLast') || (activation != null && activation !== 'linear')) {
    return false;
  }
  const names = graph.weights(layer.name).map((w) => w.name);
  const plain = names[0] === 'kernel' && (names.length === 1 || (names.length === 2 && names[1] === 'bias'));
  return plain && graph.consumers(layer.name) === 1;
}

/** A BatchNormalization over the channel axis of an NHWC tensor. */
function isChannelBatchNorm(layer: GraphLayer): boolean {
  const axis = layer.config['axis'];
  return layer.className === 'BatchNormalization' && (axis === -1 || axis === 3);
}

/** BatchNorm at inference as y = x * scale + shift per channel. */
function batchNormAffine(graph: InferenceGraph, bn: GraphLayer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const named = (weightName: string, used: unknown) => {
    if (used === false) return undefined;
    const value = graph.weight(bn.name, weightName);
    if (!value) throw new WaveMixInferenceGraphError(`BatchNormalization has no '${weightName}' weight`, bn.name);
    return value as tf.Tensor1D;
  };
  const mean = named('moving_mean', true)!;
  const variance = named('moving_variance', true)!;
  const gamma = named('gamma', bn.config['scale']);
  const beta = named('beta', bn.config['center']);
  const epsilon = bn.config['epsilon'];
  if (typeof epsilon !== 'number') throw new WaveMixInferenceGraphError('BatchNormalization has no epsilon', bn.name);
  const inverseStd = tf.rsqrt(tf.add(variance, epsilon));
  const scale = gamma ? tf.mul(gamma, inverseStd) : inverseStd;
  const shift = tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, scale));
  return { scale: scale as tf.Tensor1D, shift: shift as tf.Tensor1D };
}

/**
 * kernel[:, :, o, :] * scale[o]. As a product along the last axis with scale repeated over the
 * input channels: broadcasting over a middle axis is ~15x slower on the cpu backend (60 ms for one
 * 4x4x144x144 kernel).
 */
function scaleMiddleAxis(kernel: tf.Tensor4D, scale: tf.Tensor1D): tf.Tensor4D {
  const [kh, kw, outChannels, inChannels] = kernel.shape;
  const perEntry = tf.reshape(tf.tile(tf.reshape(scale, [outChannels, 1]), [1, inChannels]), [
    outChannels * inChannels,
  ]);
  return tf.reshape(tf.mul(tf.reshape(kernel, [kh * kw, outChannels * inChannels]), perEntry), kernel.shape);
}

/** The BatchNorm's scale and shift, checked against the conv's output channels. */
function convBatchNormAffine(graph: InferenceGraph, conv: GraphLayer, bn: GraphLayer) {
  const { scale, shift } = batchNormAffine(graph, bn);
  const kernel = graph.weight(conv.name, 'kernel')!;
  const bias = graph.weight(conv.name, 'bias');
  // tfjs kernels: Conv2D [kh, kw, in, out], Conv2DTranspose [kh, kw, out, in].
  const transposed = conv.className === 'Conv2DTranspose';
  const outChannels = kernel.shape[transposed ? 2 : 3];
  if (outChannels !== scale.shape[0]) {
    throw new WaveMixInferenceGraphError(
      `BatchNormalization over ${scale.shape[0]} channels follows ${conv.name} with ${outChannels} output channels`,
      bn.name,
    );
  }
  return { scale, shift, kernel, bias, transposed };
}

/** conv' = BN(conv): output channel k of the kernel times scale[k], bias' = bias * scale + shift. */
function foldIntoConv(graph: InferenceGraph, conv: GraphLayer, bn: GraphLayer): void {
  const { scale, shift, kernel, bias, transposed } = convBatchNormAffine(graph, conv, bn);
  const scaledKernel = transposed ? scaleMiddleAxis(kernel as tf.Tensor4D, scale) : tf.mul(kernel, scale);
  const foldedBias = bias ? tf.add(tf.mul(bias, scale), shift) : shift;
  conv.config['useBias'] = true;
  graph.replaceWeights(conv.name, [
    { name: 'kernel', value: scaledKernel },
    { name: 'bias', value: foldedBias },
  ]);
}

/** Calls `rewrite` for each channel BatchNorm right after a conv that feeds only it; returns how many. */
function rewriteConvBatchNorms(graph: InferenceGraph, rewrite: (conv: GraphLayer, bn: GraphLayer) => void): number {
  let count = 0;
  for (const bn of [...graph.layers]) {
    if (!isChannelBatchNorm(bn)) continue;
    const conv = graph.soleProducer(bn);
    if (!isFoldableConv(graph, conv)) continue;
    rewrite(conv, bn);
    count++;
  }
  return count;
}

/** BatchNormalization right after a Conv2D / Conv2DTranspose that feeds only it: folded into the conv's kernel and bias. */
export const foldBatchNormIntoConv: RewriteRule = {
  name: 'fold-batchnorm-into-conv',
  apply: (graph) =>
    rewriteConvBatchNorms(graph, (conv, bn) => {
      foldIntoConv(graph, conv, bn);
      graph.bypass(bn);
    }),
};

/**
 * conv -> Upsample2x -> BatchNormalization, each read only by the next: the BatchNorm folds into
 * the conv. A per-channel affine map commutes with nearest and bilinear x2 upsampling (every
 * output is a weighted mean of same-channel inputs, weights summing to 1).
 */
export const foldBatchNormThroughUpsample2x: RewriteRule = {
  name: 'fold-batchnorm-through-upsample2x',
  apply(graph) {
    let count = 0;
    for (const bn of [...graph.layers]) {
      if (!isChannelBatchNorm(bn)) continue;
      const upsample = graph.soleProducer(bn);
      if (upsample?.className !== Upsample2x.className || graph.consumers(upsample.name) !== 1) continue;
      const conv = graph.soleProducer(upsample);
      if (!isFoldableConv(graph, conv)) continue;
      foldIntoConv(graph, conv, bn);
      graph.bypass(bn);
      count++;
    }
    return count;
  },
};

/** The Add that alone reads `bn`, with one other input (a block's residual add); else undefined. */
function residualAdd(graph: InferenceGraph, bn: GraphLayer): GraphLayer | undefined {
  if (graph.consumers(bn.name) !== 1 || graph.isModelOutput(bn.name)) return undefined;
  const add = graph.layers.find((l) => l.inboundNodes.some((node) => node.some(([from]) => from === bn.name)));
  if (add?.className !== 'Add' || add.inboundNodes.length !== 1) return undefined;
  const node = add.inboundNodes[0]!;
  return node.length === 2 && node.filter(([from]) => from === bn.name).length === 1 ? add : undefined;
}

/**
 * Conv2D / Conv2DTranspose (read by the BatchNormalization alone) -> BatchNormalization, and the
 * residual Add after it if one alone reads it: the conv loses its bias and the BatchNorm (with
 * the Add) becomes one ChannelAffine (@wavemix/layers), `x * scale + shift (+ residual)` with
 * scale = gamma / sqrt(variance + epsilon) and shift = beta + (bias - mean) scale. One pass where
 * the bias add, the BatchNorm and the Add took three, and the conv keeps the source's kernel
 * (fold-batchnorm-into-conv writes a new one): so `load()` runs it.
 */
export const fuseBatchNormEpilogue: RewriteRule = {
  name: 'fuse-batchnorm-epilogue',
  apply: (graph) =>
    rewriteConvBatchNorms(graph, (conv, bn) => {
      const { scale, shift, kernel, bias } = convBatchNormAffine(graph, conv, bn);
      const weights = [
        { name: 'scale', value: scale },
        { name: 'shift', value: bias ? tf.add(shift, tf.mul(bias, scale)) : shift },
      ];
      conv.config['useBias'] = false;
      graph.replaceWeights(conv.name, [{ name: 'kernel', value: kernel }]);
      const add = residualAdd(graph, bn);
      let affine = bn;
      if (add) {
        graph.bypass(bn);
        // The conv's output first, the residual second.
        const node = add.inboundNodes[0]!;
        if (node[1]![0] === conv.name) node.reverse();
        affine = add;
      }
      graph.retype(affine, ChannelAffine.className);
      graph.replaceWeights(affine.name, weights);
    }),
};
