/**
 * A functional LayersModel's topology (its `getConfig()`: layer configs and inbound nodes) as an
 * editable graph, plus each layer's weight values, for the inference rewrites of optimize.ts.
 * Rules edit configs, remove layers (their consumers are rewired to their input) and replace
 * weights; `toModel()` then deserialises a new model and sets its weights. Untouched layers get
 * the source's variables' values: tfjs `setWeights` shares the data (reference-counted), and a
 * later write to either model's variable replaces its own data only, so they behave as copies.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LayersModel } from '@tensorflow/tfjs-layers';
import { WaveMixError } from '@wavemix/core';

/** The optimizer was handed a model it cannot rewrite, or a rule produced an inconsistent graph. */
export class WaveMixInferenceGraphError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixInferenceGraphError';

  constructor(
    message: string,
    /** The layer concerned, when there is one. */
    readonly layer?: string,
  ) {
    super(layer ? `${layer}: ${message}` : message);
  }
}

/** `[layerName, nodeIndex, tensorIndex, kwargs]`: one input of a layer call, as tfjs-layers serialises it. */
export type InboundRef = [string, number, number, Record<string, unknown>];
/** `[layerName, nodeIndex, tensorIndex]`: a model input or output. */
export type EndpointRef = [string, number, number];

export interface GraphLayer {
  name: string;
  className: string;
  /** The layer's tfjs config (camelCase, as `layer.getConfig()` returns it); rules may edit it. */
  config: Record<string, unknown>;
  /** One entry per call of the layer; each lists the call's inputs. */
  inboundNodes: InboundRef[][];
}

/** A weight value with its short name (`kernel`, `bias`, `gamma`, `moving_mean`, ...). */
export interface NamedWeight {
  name: string;
  value: tf.Tensor;
}

interface ModelConfig {
  name: string;
  layers: GraphLayer[];
  inputLayers: EndpointRef[];
  outputLayers: EndpointRef[];
}

const isArray = Array.isArray;

/** The functional-model config of `model`, or a typed error saying why it has none. */
function functionalConfig(model: unknown): ModelConfig {
  const what = 'optimizeForInference needs a functional tf.LayersModel (tf.model({inputs, outputs}))';
  if (model == null || typeof (model as LayersModel).getConfig !== 'function') {
    throw new WaveMixInferenceGraphError(`${what}; got ${model === null ? 'null' : typeof model}`);
  }
  const className = (model as LayersModel).getClassName?.();
  if (className !== 'Model' && className !== 'Functional') {
    throw new WaveMixInferenceGraphError(`${what}; got a ${String(className)}`);
  }
  // A JSON copy: rules edit it, and getConfig may hand out arrays the layers still use.
  const config = JSON.parse(JSON.stringify((model as LayersModel).getConfig())) as Partial<ModelConfig>;
  if (!isArray(config.layers) || !isArray(config.inputLayers) || !isArray(config.outputLayers)) {
    throw new WaveMixInferenceGraphError(`${what}; its config has no layers / inputLayers / outputLayers`);
  }
  for (const layer of config.layers) {
    if (typeof layer?.name !== 'string' || !isArray(layer.inboundNodes)) {
      throw new WaveMixInferenceGraphError(`${what}; a layer config lacks name or inboundNodes`);
    }
  }
  return config as ModelConfig;
}

export class InferenceGraph {
  readonly name: string;
  /** Layers in the source model's (topological) order. */
  readonly layers: GraphLayer[];
  readonly inputLayers: EndpointRef[];
  readonly outputLayers: EndpointRef[];
  private readonly byName = new Map<string, GraphLayer>();
  /** Weights a rule replaced; these tensors belong to the graph until `dispose()`. */
  private readonly replaced = new Map<string, NamedWeight[]>();

  constructor(private readonly source: LayersModel) {
    const config = functionalConfig(source);
    this.name = config.name;
    this.layers = config.layers;
    this.inputLayers = config.inputLayers;
    this.outputLayers = config.outputLayers;
    for (const layer of this.layers) this.byName.set(layer.name, layer);
  }

  layer(name: string): GraphLayer | undefined {
    return this.byName.get(name);
  }

  /** How many inputs of other layers, plus model outputs, read any output of `name`. */
  consumers(name: string): number {
    let count = this.outputLayers.filter(([layer]) => layer === name).length;
    for (const layer of this.layers)
      for (const node of layer.inboundNodes) count += node.filter(([from]) => from === name).length;
    return count;
  }

  isModelOutput(name: string): boolean {
    return this.outputLayers.some(([layer]) => layer === name);
  }

  /**
   * The layer feeding `layer` when it is called exactly once on exactly one tensor, and that
   * producer is itself called once; undefined otherwise (shared layers, merges, model inputs).
   */
  soleProducer(layer: GraphLayer): GraphLayer | undefined {
    if (layer.inboundNodes.length !== 1 || layer.inboundNodes[0]!.length !== 1) return undefined;
    const producer = this.byName.get(layer.inboundNodes[0]![0]![0]);
    return producer && producer.inboundNodes.length === 1 ? producer : undefined;
  }

  /** Removes a single-input layer; whatever read its output reads its input instead. */
  bypass(layer: GraphLayer): void {
    if (layer.inboundNodes.length !== 1 || layer.inboundNodes[0]!.length !== 1) {
      throw new WaveMixInferenceGraphError('only a layer called once on one tensor can be bypassed', layer.name);
    }
    const [from, nodeIndex, tensorIndex] = layer.inboundNodes[0]![0]!;
    for (const other of this.layers)
      for (const node of other.inboundNodes)
        for (const ref of node) if (ref[0] === layer.name) [ref[0], ref[1], ref[2]] = [from, nodeIndex, tensorIndex];
    for (const ref of this.outputLayers)
      if (ref[0] === layer.name) [ref[0], ref[1], ref[2]] = [from, nodeIndex, tensorIndex];
    this.remove(layer);
  }

  /**
   * Replaces a chain of layers, each the sole input of the next and read by nothing else, with one
   * new layer: it takes the first one's inputs, and whatever read the last one reads it. For
   * fusions (e.g. conv -> activation -> conv into one layer); `weights` in the new layer's order.
   */
  replaceChain(chain: GraphLayer[], replacement: Omit<GraphLayer, 'inboundNodes'>, weights: NamedWeight[]): GraphLayer {
    const first = chain[0];
    const last = chain[chain.length - 1];
    if (!first || !last || first.inboundNodes.length !== 1) {
      throw new WaveMixInferenceGraphError('a chain to replace starts with a layer called once', first?.name);
    }
    chain.forEach((layer, i) => {
      if (i > 0 && this.soleProducer(layer) !== chain[i - 1]) {
        throw new WaveMixInferenceGraphError(`does not read ${chain[i - 1]!.name} alone`, layer.name);
      }
      if (i < chain.length - 1 && this.consumers(layer.name) !== 1) {
        throw new WaveMixInferenceGraphError('is read outside the chain being replaced', layer.name);
      }
    });
    if (
      replacement.name !== last.name &&
      this.byName.has(replacement.name) &&
      !chain.some((l) => l.name === replacement.name)
    ) {
      throw new WaveMixInferenceGraphError('a layer of that name exists already', replacement.name);
    }
    const layer: GraphLayer = { ...replacement, inboundNodes: JSON.parse(JSON.stringify(first.inboundNodes)) };
    for (const other of this.layers)
      for (const node of other.inboundNodes)
        for (const ref of node) if (ref[0] === last.name) [ref[0], ref[1], ref[2]] = [layer.name, 0, 0];
    for (const ref of this.outputLayers) if (ref[0] === last.name) [ref[0], ref[1], ref[2]] = [layer.name, 0, 0];
    this.layers.splice(this.layers.indexOf(last), 1, layer);
    for (const old of chain) {
      if (old !== last) this.layers.splice(this.layers.indexOf(old), 1);
      this.byName.delete(old.name);
      this.disposeReplaced(old.name);
    }
    this.byName.set(layer.name, layer);
    this.replaceWeights(layer.name, weights);
    return layer;
  }

  /**
   * Removes `producer`, called once and read by `consumer` alone, and has `consumer` (called once,
   * on the producer's output only) read the producer's inputs instead: for a merge whose parts the
   * consumer takes as they are (a Concatenate before a PointwiseMlp).
   */
  inlineInputs(consumer: GraphLayer, producer: GraphLayer): void {
    if (this.soleProducer(consumer) !== producer || this.consumers(producer.name) !== 1) {
      throw new WaveMixInferenceGraphError(
        `does not read ${producer.name} alone, or is not its only reader`,
        consumer.name,
      );
    }
    consumer.inboundNodes = JSON.parse(JSON.stringify(producer.inboundNodes)) as InboundRef[][];
    this.remove(producer);
  }

  /**
   * Makes `layer` (its name and inputs kept) a layer of `className` with `config`, plus the config
   * every tfjs layer takes (name, trainable, dtype) carried over: a rule's in-place replacement.
   */
  retype(layer: GraphLayer, className: string, config: Record<string, unknown> = {}): void {
    layer.className = className;
    layer.config = {
      name: layer.name,
      trainable: layer.config['trainable'] ?? true,
      dtype: layer.config['dtype'] ?? 'float32',
      ...config,
    };
  }

  /** The layer's current weights, in the order its tfjs layer creates them (the source's, unless replaced). */
  weights(name: string): NamedWeight[] {
    const replaced = this.replaced.get(name);
    if (replaced) return replaced;
    const layer = this.source.layers.find((l) => l.name === name);
    if (!layer) return [];
    return layer.weights.map((w) => ({
      name: w.originalName.slice(w.originalName.lastIndexOf('/') + 1),
      value: w.read(),
    }));
  }

  /** The weight called `weightName` of layer `name`, or undefined. */
  weight(name: string, weightName: string): tf.Tensor | undefined {
    return this.weights(name).find((w) => w.name === weightName)?.value;
  }

  /**
   * Gives layer `name` new weight values, in the order its tfjs layer creates them. The graph keeps
   * its own handles (clones share the data), so the caller's tensors stay the caller's (a tidy frees them).
   */
  replaceWeights(name: string, weights: NamedWeight[]): void {
    const owned = weights.map((w) => ({ name: w.name, value: tf.keep(tf.clone(w.value)) }));
    this.disposeReplaced(name);
    this.replaced.set(name, owned);
  }

  /** A new model of the edited topology, its weights set from the graph (the graph stays usable). */
  toModel(name = this.name): LayersModel {
    const config = {
      name,
      layers: this.layers,
      inputLayers: this.inputLayers,
      outputLayers: this.outputLayers,
    };
    // fastWeightInit: no random initialisation, every weight is set below.
    const model = LayersModel.fromConfig(
      LayersModel,
      JSON.parse(JSON.stringify(config)) as tf.serialization.ConfigDict,
      {},
      true,
    ) as LayersModel;
    try {
      for (const layer of model.layers) {
        if (layer.weights.length === 0) continue;
        const values = this.weights(layer.name);
        if (values.length !== layer.weights.length) {
          throw new WaveMixInferenceGraphError(
            `the rewritten layer has ${layer.weights.length} weights, the graph holds ${values.length} (${values.map((w) => w.name).join(', ')})`,
            layer.name,
          );
        }
        layer.setWeights(values.map((w) => w.value));
      }
    } catch (error) {
      model.dispose();
      if (error instanceof WaveMixError) throw error;
      throw new WaveMixInferenceGraphError(
        `setting the rewritten model's weights failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return model;
  }

  /** Frees the weights rules created (a model built by `toModel` keeps its own references). */
  dispose(): void {
    for (const name of [...this.replaced.keys()]) this.disposeReplaced(name);
  }

  /** Drops a layer whose readers have been rewired, and any weights a rule gave it. */
  private remove(layer: GraphLayer): void {
    this.layers.splice(this.layers.indexOf(layer), 1);
    this.byName.delete(layer.name);
    this.disposeReplaced(layer.name);
  }

  private disposeReplaced(name: string): void {
    const old = this.replaced.get(name);
    if (!old) return;
    this.replaced.delete(name);
    tf.dispose(old.map((w) => w.value));
  }
}
