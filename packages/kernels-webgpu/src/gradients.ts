/**
 * Gradients that waste host-to-GPU traffic on webgpu, replaced there (other backends keep the
 * gradient they had, whoever registered it).
 *
 * Mean and Sum: tfjs's gradients multiply dy by `ones(x.shape)`, a tensor filled on the host and
 * uploaded at every step (1.2 MB for each batch-norm statistic of the mnist-quick model at batch
 * 64: 8.4 MB per step). Here a tile broadcasts dy (Mean: divided first, on the reduced shape): the
 * same values (dy * 1 / n = dy / n), no upload but Mean's divisor, and one full-size dispatch
 * instead of one or two.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getGradient, type GradConfig, Mean, registerGradient, Sum, type Tensor } from '@tensorflow/tfjs-core';

/** Marks our wrappers, so a second copy of this package sees they are in place. */
const OURS = Symbol.for('@wavemix/kernels-webgpu/gradient');
/** The gradient a wrapper replaced, for restoreStockWebGPUGradients. */
const STOCK = Symbol.for('@wavemix/kernels-webgpu/stock-gradient');

/** `x.shape` with the reduced axes set to 1, and the tile repetitions that restore it. */
function reducedShape(x: Tensor, axis: number | number[]): { kept: number[]; reps: number[]; size: number } {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  return {
    kept: x.shape.map((size, i) => (axes.includes(i) ? 1 : size)),
    reps: x.shape.map((size, i) => (axes.includes(i) ? size : 1)),
    size: axes.reduce((product, a) => product * x.shape[a]!, 1),
  };
}

function broadcastGradient(original: GradConfig, mean: boolean): GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [Tensor];
      if (tf.getBackend() !== 'webgpu' || x.dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      const { kept, reps, size } = reducedShape(x, (attrs as { axis: number | number[] }).axis);
      return {
        x: () => {
          const reduced = tf.reshape(dy as Tensor, kept);
          return tf.tile(mean ? tf.div(reduced, size) : reduced, reps);
        },
      };
    },
  };
}

const wrappers: ReadonlyArray<readonly [string, (original: GradConfig) => GradConfig]> = [
  [Mean, (original) => broadcastGradient(original, true)],
  [Sum, (original) => broadcastGradient(original, false)],
];

/**
 * Wraps the registered gradients above with their webgpu paths. Needs the tfjs gradients
 * registered first (import '@tensorflow/tfjs'): importing this package calls it, and a caller
 * that loads tfjs's gradients later can call it again. Idempotent; returns the names wrapped now.
 */
export function registerWebGPUTrainingGradients(): string[] {
  const wrapped: string[] = [];
  for (const [name, wrap] of wrappers) {
    const original = getGradient(name);
    if (original == null || (original as unknown as Record<symbol, unknown>)[OURS]) continue;
    const config = wrap(original);
    (config as unknown as Record<symbol, unknown>)[OURS] = true;
    (config as unknown as Record<symbol, unknown>)[STOCK] = original;
    registerGradient(config);
    wrapped.push(name);
  }
  return wrapped;
}

/** Puts back the gradients our wrappers replaced (for before/after comparisons); returns their names. */
export function restoreStockWebGPUGradients(): string[] {
  const restored: string[] = [];
  for (const [name] of wrappers) {
    const stock = (getGradient(name) as unknown as Record<symbol, GradConfig | undefined> | undefined)?.[STOCK];
    if (stock == null) continue;
    registerGradient(stock);
    restored.push(name);
  }
  return restored;
}
