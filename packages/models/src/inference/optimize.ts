/**
 * Inference graph rewrites (issue 16): a new functional model computing the same inference
 * function as the source with fewer layers. The source model is not changed and stays the caller's.
 *
 * Adding a rewrite: write a `RewriteRule` (rewrite_rules.ts shows the pattern: match exactly, edit
 * the InferenceGraph, replace weights) and put it in INFERENCE_REWRITE_RULES at the point of the
 * order it needs (e.g. after Dropout removal, which puts the 1x1 convs next to each other).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { fusePointwiseMlp, readConcatInPointwiseMlp } from './fuse_pointwise_mlp';
import { InferenceGraph } from './inference_graph';
import {
  foldBatchNormIntoConv,
  foldBatchNormThroughUpsample2x,
  fuseBatchNormEpilogue,
  removeIdentityLayers,
  type RewriteRule,
} from './rewrite_rules';

export { InferenceGraph, WaveMixInferenceGraphError, type GraphLayer, type NamedWeight } from './inference_graph';
export type { RewriteRule } from './rewrite_rules';

/** The default rewrites, in the order they run. */
export const INFERENCE_REWRITE_RULES: readonly RewriteRule[] = [
  removeIdentityLayers,
  foldBatchNormIntoConv,
  foldBatchNormThroughUpsample2x,
  // Last: the folds above need the 1x1 conv `.3` still a Conv2D.
  fusePointwiseMlp,
  readConcatInPointwiseMlp,
];

/**
 * What `load()` applies by default: the rewrites that keep the source's weights (reshaped), so the
 * optimized model costs no extra memory. The BatchNorm folds write new conv weights (most of a
 * ConvTranspose model's parameters, held beside the source's); instead each conv's bias, the
 * BatchNorm after it and a residual Add become one ChannelAffine pass (fuse-batchnorm-epilogue,
 * two [channels] vectors), and a unit reads a concatenation's parts in place.
 */
export const LOAD_REWRITE_RULES: readonly RewriteRule[] = [
  removeIdentityLayers,
  fuseBatchNormEpilogue,
  fusePointwiseMlp,
  readConcatInPointwiseMlp,
];

export interface OptimizeOptions {
  /** The rewrites to apply, in order; default INFERENCE_REWRITE_RULES. */
  rules?: readonly RewriteRule[];
}

export interface OptimizeResult {
  model: LayersModel;
  /** How many rewrites each rule made (by rule name), in the order the rules ran. */
  rewrites: Array<{ rule: string; count: number }>;
}

/** `optimizeForInference` with the number of rewrites each rule made. */
export function rewriteForInference(model: LayersModel, options: OptimizeOptions = {}): OptimizeResult {
  const graph = new InferenceGraph(model);
  try {
    const rewrites = (options.rules ?? INFERENCE_REWRITE_RULES).map((rule) => ({
      rule: rule.name,
      count: tf.tidy(() => rule.apply(graph)),
    }));
    const optimized = graph.toModel(`${graph.name}-inference`);
    // WaveMix metadata (preprocessing, class names) and anything else the caller stored.
    const metadata = model.getUserDefinedMetadata();
    if (metadata) optimized.setUserDefinedMetadata(JSON.parse(JSON.stringify(metadata)) as object);
    return { model: optimized, rewrites };
  } finally {
    graph.dispose();
  }
}

/**
 * A new functional model with the same inference output as `model` (`predict`, `apply(x,
 * {training: false})`) and fewer layers: Dropout removed, BatchNormalization folded into the
 * Conv2D / Conv2DTranspose before it (also through a parameter-free `Upsample2x`). Only exact
 * patterns are rewritten (the conv feeds nothing else); other layers, custom ones included, are
 * kept as they are. Weights are copies (untouched layers share the data until either model writes
 * a variable); the source stays usable and must still be disposed by the caller. Not for training:
 * the folded BatchNorms no longer update their statistics. Throws WaveMixInferenceGraphError for a
 * model that is not a functional LayersModel (e.g. a `tf.sequential`).
 */
export function optimizeForInference(model: LayersModel, options: OptimizeOptions = {}): LayersModel {
  return rewriteForInference(model, options).model;
}
