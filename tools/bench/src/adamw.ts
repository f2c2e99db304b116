/**
 * AdamW with PyTorch's semantics (decoupled weight decay), as the official WaveMix recipe trains:
 *   p <- p (1 - lr wd);  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
 *   p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * tfjs has Adam without decoupled decay. Minimal: enough to time a training step.
 */
import * as tf from '@tensorflow/tfjs';

export class AdamW {
  private t = 0;
  private readonly slots = new Map<string, { m: tf.Variable; v: tf.Variable }>();

  constructor(
    private readonly lr = 1e-3,
    private readonly weightDecay = 0.01,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {}

  applyGradients(grads: tf.NamedTensorMap): void {
    this.t++;
    const { lr, weightDecay, beta1, beta2, epsilon } = this;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      for (const [name, g] of Object.entries(grads)) {
        const p = tf.engine().registeredVariables[name]!;
        let slot = this.slots.get(name);
        if (!slot) {
          slot = { m: tf.variable(tf.zerosLike(p), false), v: tf.variable(tf.zerosLike(p), false) };
          this.slots.set(name, slot);
        }
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        slot.m.assign(m);
        slot.v.assign(v);
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
        p.assign(tf.sub(tf.mul(p, 1 - lr * weightDecay), tf.mul(update, lr)));
      }
    });
  }

  dispose(): void {
    for (const { m, v } of this.slots.values()) tf.dispose([m, v]);
    this.slots.clear();
  }
}
