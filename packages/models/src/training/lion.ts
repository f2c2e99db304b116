/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms") with the semantics of
 * `lion-pytorch`, which the official WaveMix examples use (`Lion(params, lr=1e-4,
 * weight_decay=1e-2)` in Image_Classification/example_cifar10.py):
 *   p <- p * (1 - lr * wd);  p <- p - lr * sign(b1 m + (1 - b1) g);  m <- b2 m + (1 - b2) g
 * with b1 = 0.9, b2 = 0.99. One state tensor per variable; like AdamW its learning rate may
 * change between steps and its state checkpoints through getWeights/setWeights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '@wavemix/core';
import type { NamedTensor } from './optimizers';

export interface LionConfig {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  weightDecay?: number;
}

export class Lion extends tf.Optimizer {
  static get className(): string {
    return 'Lion';
  }

  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;
  private readonly moments = new Map<string, tf.Variable>();

  constructor({ learningRate, beta1 = 0.9, beta2 = 0.99, weightDecay = 0 }: LionConfig) {
    super();
    for (const [name, value] of Object.entries({ learningRate, beta1, beta2, weightDecay })) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new WaveMixArgumentError(name, `Lion: ${name} must be a finite number >= 0, got ${String(value)}`);
      }
    }
    if (beta1 >= 1 || beta2 >= 1)
      throw new WaveMixArgumentError('betas', `Lion: betas must be below 1, got ${beta1}, ${beta2}`);
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.weightDecay = weightDecay;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor] as const)
      : Object.entries(variableGradients);
    const { beta1, beta2, learningRate: lr, weightDecay } = this;
    tf.tidy(() => {
      for (const [name, gradient] of entries) {
        if (gradient == null) continue;
        const variable = tf.engine().registeredVariables[name];
        if (variable == null) throw new WaveMixArgumentError('gradients', `Lion: no variable named ${name}`);
        let moment = this.moments.get(name);
        if (!moment) {
          moment = tf.tidy(() => tf.variable(tf.zerosLike(variable), false));
          this.moments.set(name, moment);
        }
        const update = tf.sign(tf.add(tf.mul(moment, beta1), tf.mul(gradient, 1 - beta1)));
        variable.assign(tf.sub(tf.mul(variable, 1 - lr * weightDecay), tf.mul(update, lr)));
        moment.assign(tf.add(tf.mul(moment, beta2), tf.mul(gradient, 1 - beta2)));
      }
    });
    this.incrementIterations();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [...this.moments].map(([name, tensor]) => ({ name: `${name}/m`, tensor }));
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.dispose();
    for (const { name, tensor } of weightValues) {
      const match = /^(.*)\/m$/.exec(name);
      if (!match)
        throw new WaveMixArgumentError(
          'weights',
          `Lion.setWeights: unexpected weight ${name} (expected '<variable>/m')`,
        );
      this.moments.set(
        match[1]!,
        tf.tidy(() => tf.variable(tensor.clone(), false)),
      );
    }
  }

  override dispose(): void {
    for (const moment of this.moments.values()) moment.dispose();
    this.moments.clear();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, weightDecay: this.weightDecay };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as unknown as LionConfig);
  }
}
tf.serialization.registerClass(Lion);
