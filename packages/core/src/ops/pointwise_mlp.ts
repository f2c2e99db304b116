import * as tf from '@tensorflow/tfjs-core';
import { type PointwiseMlpTensors, pointwiseMlpComposite, pointwiseMlpCompositeRaw } from '../composite_pointwise_mlp';
import { WaveMixArgumentError } from '../errors';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { PointwiseMlp } from '../kernel_names';
import { assertNhwcFloat32 } from '../shapes';
import { hasKernel } from './dispatch';

function assertWeight(t: tf.Tensor, argument: string, expected: readonly number[], meaning: string): void {
  if (t == null || !Array.isArray(t.shape))
    throw new WaveMixArgumentError(argument, `expected a tf.Tensor, got ${String(t)}`);
  if (t.dtype !== 'float32') throw new WaveMixArgumentError(argument, `expected dtype float32, got ${t.dtype}`);
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new WaveMixArgumentError(
      argument,
      `expected shape [${expected.join(', ')}] (${meaning}), got [${t.shape.join(', ')}]`,
    );
  }
}

/** Checks the five inputs agree: x [b, h, w, cin], w1 [cin, hidden], b1 [hidden], w2 [hidden, out], b2 [out]. */
export function assertPointwiseMlpInputs(
  x: tf.Tensor,
  w1: tf.Tensor,
  b1: tf.Tensor,
  w2: tf.Tensor,
  b2: tf.Tensor,
): void {
  assertNhwcFloat32(x, 'x');
  const cin = x.shape[3]!;
  if (w1 == null || !Array.isArray(w1.shape) || w1.shape.length !== 2) {
    throw new WaveMixArgumentError('w1', `expected rank 2 [cin, hidden], got shape [${w1?.shape?.join(', ')}]`);
  }
  const hidden = w1.shape[1]!;
  assertWeight(w1, 'w1', [cin, hidden], `cin ${cin} of x by hidden`);
  assertWeight(b1, 'b1', [hidden], `hidden ${hidden} of w1`);
  if (w2 == null || !Array.isArray(w2.shape) || w2.shape.length !== 2) {
    throw new WaveMixArgumentError('w2', `expected rank 2 [hidden, out], got shape [${w2?.shape?.join(', ')}]`);
  }
  const out = w2.shape[1]!;
  assertWeight(w2, 'w2', [hidden, out], `hidden ${hidden} of w1 by out`);
  assertWeight(b2, 'b2', [out], `out ${out} of w2`);
  if (!(hidden > 0 && out > 0)) {
    throw new WaveMixArgumentError('w1', `hidden and out channels must be positive, got ${hidden} and ${out}`);
  }
}

/** The kernel where the backend registered one, else `composite` (differentiable for the public op). */
export function runPointwiseMlp(
  inputs: PointwiseMlpTensors,
  composite: (inputs: PointwiseMlpTensors) => tf.Tensor4D = pointwiseMlpCompositeRaw,
): tf.Tensor4D {
  if (hasKernel(PointwiseMlp)) return tf.engine().runKernel(PointwiseMlp, { ...inputs }) as tf.Tensor4D;
  return composite(inputs);
}

/**
 * A feed-forward unit on NHWC float32: `Conv1x1(w1, b1) -> GELU (exact, erf) -> Conv1x1(w2, b2)`,
 * `x [b, h, w, cin] -> [b, h, w, out]` with `w1 [cin, hidden]`, `b1 [hidden]`, `w2 [hidden, out]`,
 * `b2 [out]` (a 1x1 conv filter `[1, 1, cin, hidden]` reshaped). One kernel where the backend has
 * one (wasm: the hidden activations stay in cache), the plain-ops composite elsewhere.
 * Differentiable in all five inputs.
 */
export function pointwiseMlp(x: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor): tf.Tensor4D {
  assertPointwiseMlpInputs(x, w1, b1, w2, b2);
  registerWaveMixGradients();
  return runPointwiseMlp(
    { x: x as tf.Tensor4D, w1: w1 as tf.Tensor2D, b1: b1 as tf.Tensor1D, w2: w2 as tf.Tensor2D, b2: b2 as tf.Tensor1D },
    pointwiseMlpComposite,
  );
}
