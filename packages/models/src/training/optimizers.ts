/**
 * AdamW (Loshchilov & Hutter) with PyTorch's semantics, which the official WaveMix recipe uses:
 *   p <- p * (1 - lr * wd);  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * tfjs ships Adam without decoupled weight decay. Slot variables stay unnamed (names are global
 * in tfjs, and two optimizers may hold slots for the same variable, e.g. while resuming). State (t, m, v) round-trips through
 * getWeights/setWeights for checkpoints; `learningRate` may change between steps (schedules).
 */
import * as tf from '@tensorflow/tfjs-core';
import { AdamWUpdate, WaveMixArgumentError, type AdamWUpdateAttrs } from '@wavemix/core';

/** tfjs's `{name, tensor}` pair (not exported by the umbrella package). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** A non-trainable variable holding `init()`'s values; the temporary tensor is released. */
function ownedVariable(init: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(init(), false));
}

/** [variable name, gradient] pairs from either form tf.Optimizer.applyGradients accepts. */
function gradientEntries(variableGradients: tf.NamedTensorMap | NamedTensor[]): Array<readonly [string, tf.Tensor]> {
  return Array.isArray(variableGradients)
    ? variableGradients.map(({ name, tensor }) => [name, tensor] as const)
    : Object.entries(variableGradients);
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
}

export interface AdamWConfig {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
}

export class AdamW extends tf.Optimizer {
  static get className(): string {
    return 'AdamW';
  }

  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private step = 0;
  private readonly slots = new Map<string, Slot>();

  constructor({ learningRate, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0.01 }: AdamWConfig) {
    super();
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = gradientEntries(variableGradients);
    this.step++;
    const { beta1, beta2, epsilon, learningRate: lr, weightDecay } = this;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    // A backend with the fused kernel (webgpu) does the same arithmetic in 3 dispatches, not 15.
    const fused = tf.getKernel(AdamWUpdate, tf.getBackend()) != null;
    const attrs: AdamWUpdateAttrs = { beta1, beta2, epsilon, learningRate: lr, weightDecay, correction1, correction2 };
    tf.tidy(() => {
      for (const [name, gradient] of entries) {
        if (gradient == null) continue;
        const variable = tf.engine().registeredVariables[name];
        if (variable == null) throw new WaveMixArgumentError('gradients', `AdamW: no variable named ${name}`);
        const slot = this.slotFor(name, variable);
        if (fused && variable.dtype === 'float32' && gradient.dtype === 'float32') {
          const inputs = { param: variable, gradient, m: slot.m, v: slot.v };
          const [m, v, updated] = tf.engine().runKernel(AdamWUpdate, inputs, { ...attrs }) as tf.Tensor[];
          slot.m.assign(m!);
          slot.v.assign(v!);
          variable.assign(updated!);
          continue;
        }
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(gradient, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        slot.m.assign(m);
        slot.v.assign(v);
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        variable.assign(tf.sub(tf.mul(variable, 1 - lr * weightDecay), tf.mul(update, lr)));
      }
    });
    this.incrementIterations();
  }

  private slotFor(name: string, variable: tf.Variable): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = {
        m: ownedVariable(() => tf.zerosLike(variable)),
        v: ownedVariable(() => tf.zerosLike(variable)),
      };
      this.slots.set(name, slot);
    }
    return slot;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [{ name: 'step', tensor: tf.scalar(this.step) }];
    for (const [name, { m, v }] of this.slots) {
      weights.push({ name: `${name}/m`, tensor: m }, { name: `${name}/v`, tensor: v });
    }
    return weights;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.dispose();
    for (const { name, tensor } of weightValues) {
      if (name === 'step') {
        this.step = (await tensor.data())[0]!;
        continue;
      }
      const match = /^(.*)\/(m|v)$/.exec(name);
      if (!match) throw new WaveMixArgumentError('weights', `AdamW.setWeights: unexpected weight ${name}`);
      const [, variableName, kind] = match as unknown as [string, string, 'm' | 'v'];
      const slot = this.slots.get(variableName) ?? ({} as Slot);
      slot[kind] = ownedVariable(() => tensor.clone());
      this.slots.set(variableName, slot);
    }
  }

  override dispose(): void {
    for (const { m, v } of this.slots.values()) tf.dispose([m, v]);
    this.slots.clear();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as unknown as AdamWConfig);
  }
}
tf.serialization.registerClass(AdamW);

/**
 * SGD with momentum, PyTorch's form (dampening 0): buf <- mu buf + g; p <- p - lr buf. Like AdamW
 * its learning rate may change between steps and its state checkpoints through get/setWeights.
 */
export class SgdMomentum extends tf.Optimizer {
  static get className(): string {
    return 'SgdMomentum';
  }

  learningRate: number;
  readonly momentum: number;
  private readonly buffers = new Map<string, tf.Variable>();

  constructor({ learningRate, momentum = 0.9 }: { learningRate: number; momentum?: number }) {
    super();
    this.learningRate = learningRate;
    this.momentum = momentum;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = gradientEntries(variableGradients);
    tf.tidy(() => {
      for (const [name, gradient] of entries) {
        if (gradient == null) continue;
        const variable = tf.engine().registeredVariables[name];
        if (variable == null) throw new WaveMixArgumentError('gradients', `SgdMomentum: no variable named ${name}`);
        let buffer = this.buffers.get(name);
        if (!buffer) {
          // PyTorch initialises the buffer with the first gradient.
          buffer = ownedVariable(() => gradient.clone());
          this.buffers.set(name, buffer);
        } else {
          buffer.assign(tf.add(tf.mul(buffer, this.momentum), gradient));
        }
        variable.assign(tf.sub(variable, tf.mul(buffer, this.learningRate)));
      }
    });
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [...this.buffers].map(([name, tensor]) => ({ name: `${name}/momentum`, tensor }));
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.dispose();
    for (const { name, tensor } of weightValues) {
      const variableName = name.replace(/\/momentum$/, '');
      this.buffers.set(
        variableName,
        ownedVariable(() => tensor.clone()),
      );
    }
  }

  override dispose(): void {
    for (const buffer of this.buffers.values()) buffer.dispose();
    this.buffers.clear();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, momentum: this.momentum };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as unknown as { learningRate: number });
  }
}
tf.serialization.registerClass(SgdMomentum);
