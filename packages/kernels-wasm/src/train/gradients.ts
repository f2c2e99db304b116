import * as tf from '@tensorflow/tfjs-core';
import {
  FusedBatchNorm,
  getGradient,
  type GradConfig,
  Mean,
  registerGradient,
  type Tensor,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WasmBatchNormGrad } from '../kernels/BatchNormGrad';
import { trainKernelsAvailable } from './module';

/** Marks our wrappers, so a second copy of this package sees they are in place. */
const OURS = Symbol.for('@wavemix/kernels-wasm/gradient');

const perChannel = (t: Tensor | undefined, channels: number) =>
  t == null || (t.dtype === 'float32' && t.size === channels && t.shape.slice(0, -1).every((s) => s === 1));

/**
 * FusedBatchNorm: on wasm, with per-channel statistics, all five partial derivatives from one
 * kernel (one pass over x and dy instead of about fifteen). The values are the same as the tfjs
 * gradient's; elsewhere that gradient runs.
 */
function batchNormGradient(original: GradConfig): GradConfig {
  return {
    kernelName: FusedBatchNorm,
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
      const channels = x.shape[x.shape.length - 1]!;
      const fast =
        tf.getBackend() === 'wasm' &&
        tf.getKernel(WasmBatchNormGrad, 'wasm') != null &&
        trainKernelsAvailable(tf.backend() as unknown as BackendWasm) &&
        x.dtype === 'float32' &&
        x.rank >= 1 &&
        [mean, variance, scale].every((t) => perChannel(t, channels)) &&
        mean.rank === 1;
      if (!fast) return original.gradFunc(dy, saved, attrs);
      const inputs: tf.NamedTensorMap = { x, dy: dy as Tensor, mean, variance };
      if (scale) inputs['scale'] = scale;
      // Computed eagerly: each partial is returned by its own thunk, which runs in its own tidy.
      const [dx, dMean, dVariance, dScale, dOffset] = tf
        .engine()
        .runKernel(WasmBatchNormGrad, inputs, attrs) as Tensor[];
      const like = (g: Tensor, t: Tensor | undefined) => (t == null ? g : tf.reshape(g, t.shape));
      return {
        x: () => dx!,
        mean: () => like(dMean!, mean),
        variance: () => like(dVariance!, variance),
        scale: () => like(dScale!, scale),
        offset: () => dOffset!,
      };
    },
  };
}

/**
 * Mean over leading axes on wasm: the gradient as one tile and one division instead of a
 * filled tensor of ones, a broadcast multiply and a division (same values).
 */
function meanGradient(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [Tensor];
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape).sort((a, b) => a - b);
      const leading = axes.length > 0 && axes.length < x.rank && axes.every((a, i) => a === i);
      if (
        tf.getBackend() !== 'wasm' ||
        x.dtype !== 'float32' ||
        !leading ||
        !trainKernelsAvailable(tf.backend() as unknown as BackendWasm)
      ) {
        return original.gradFunc(dy, saved, attrs);
      }
      return {
        x: () => {
          const expanded = x.shape.map((s, i) => (i < axes.length ? 1 : s));
          const reps = x.shape.map((s, i) => (i < axes.length ? s : 1));
          const reduceSize = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
          return tf.div(tf.tile(tf.reshape(dy as Tensor, expanded), reps), reduceSize);
        },
      };
    },
  };
}

const wrappers: ReadonlyArray<readonly [string, (original: GradConfig) => GradConfig]> = [
  [FusedBatchNorm, batchNormGradient],
  [Mean, meanGradient],
];

/**
 * Wraps the tfjs gradients of FusedBatchNorm and Mean with the wasm fast paths above (other
 * backends and inputs keep the original). Needs the tfjs gradients registered first (import
 * '@tensorflow/tfjs'); returns the names wrapped by this call.
 */
export function registerWasmTrainingGradients(): string[] {
  const wrapped: string[] = [];
  for (const [name, wrap] of wrappers) {
    const original = getGradient(name);
    if (original == null || (original as unknown as Record<symbol, unknown>)[OURS]) continue;
    const config = wrap(original);
    (config as unknown as Record<symbol, unknown>)[OURS] = true;
    registerGradient(config);
    wrapped.push(name);
  }
  return wrapped;
}
