import * as tf from '@tensorflow/tfjs-core';
import { type PointwiseMlpTensors, pointwiseMlpComposite, pointwiseMlpCompositeRaw } from '../composite_pointwise_mlp';
import { WaveMixArgumentError } from '../errors';
import { registerWaveMixGradients } from '../gradients/register_gradients';
import { PointwiseMlp, PointwiseMlpConcat } from '../kernel_names';
import { assertFloat32Shape, assertNhwcFloat32 } from '../shapes';
import { hasKernel } from './dispatch';

/**
 * Checks the inputs agree: x [b, h, w, cin] (or the parts [x, x2] of a channel concatenation:
 * the same b, h, w, cin = their channels together), w1 [cin, hidden], b1 [hidden], w2 [hidden,
 * out], b2 [out].
 */
export function assertPointwiseMlpInputs(
  x: tf.Tensor | tf.Tensor[],
  w1: tf.Tensor,
  b1: tf.Tensor,
  w2: tf.Tensor,
  b2: tf.Tensor,
): void {
  const parts = Array.isArray(x) ? x : [x];
  if (parts.length !== 1 && parts.length !== 2) {
    throw new WaveMixArgumentError(
      'x',
      `expected a tensor or the two parts of a channel concatenation, got ${parts.length} tensors`,
    );
  }
  parts.forEach((part, i) => assertNhwcFloat32(part, parts.length === 1 ? 'x' : `x[${i}]`));
  if (parts.length === 2) {
    const [a, b] = parts as [tf.Tensor, tf.Tensor];
    if (a.shape.slice(0, 3).some((d, i) => d !== b.shape[i])) {
      throw new WaveMixArgumentError(
        'x[1]',
        `must match x[0] in batch, height and width to be concatenated on channels: [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`,
      );
    }
  }
  const cin = parts.reduce((sum, part) => sum + part.shape[3]!, 0);
  if (w1 == null || !Array.isArray(w1.shape) || w1.shape.length !== 2) {
    throw new WaveMixArgumentError('w1', `expected rank 2 [cin, hidden], got shape [${w1?.shape?.join(', ')}]`);
  }
  const hidden = w1.shape[1]!;
  assertFloat32Shape(w1, 'w1', [cin, hidden], `cin ${cin} of ${parts.length === 1 ? 'x' : 'x[0] and x[1]'} by hidden`);
  assertFloat32Shape(b1, 'b1', [hidden], `hidden ${hidden} of w1`);
  if (w2 == null || !Array.isArray(w2.shape) || w2.shape.length !== 2) {
    throw new WaveMixArgumentError('w2', `expected rank 2 [hidden, out], got shape [${w2?.shape?.join(', ')}]`);
  }
  const out = w2.shape[1]!;
  assertFloat32Shape(w2, 'w2', [hidden, out], `hidden ${hidden} of w1 by out`);
  assertFloat32Shape(b2, 'b2', [out], `out ${out} of w2`);
  if (!(hidden > 0 && out > 0)) {
    throw new WaveMixArgumentError('w1', `hidden and out channels must be positive, got ${hidden} and ${out}`);
  }
}

/**
 * The kernel where the backend registered one (PointwiseMlpConcat for a concatenation's two
 * parts), else `composite` (differentiable for the public op).
 */
export function runPointwiseMlp(
  inputs: PointwiseMlpTensors,
  composite: (inputs: PointwiseMlpTensors) => tf.Tensor4D = pointwiseMlpCompositeRaw,
): tf.Tensor4D {
  const { x, x2, w1, b1, w2, b2 } = inputs;
  if (x2 == null) {
    if (hasKernel(PointwiseMlp)) return tf.engine().runKernel(PointwiseMlp, { x, w1, b1, w2, b2 }) as tf.Tensor4D;
  } else if (hasKernel(PointwiseMlpConcat)) {
    return tf.engine().runKernel(PointwiseMlpConcat, { x, x2, w1, b1, w2, b2 }) as tf.Tensor4D;
  }
  return composite(x2 == null ? { x, w1, b1, w2, b2 } : inputs);
}

/**
 * A feed-forward unit on NHWC float32: `Conv1x1(w1, b1) -> GELU (exact, erf) -> Conv1x1(w2, b2)`,
 * `x [b, h, w, cin] -> [b, h, w, out]` with `w1 [cin, hidden]`, `b1 [hidden]`, `w2 [hidden, out]`,
 * `b2 [out]` (a 1x1 conv filter `[1, 1, cin, hidden]` reshaped). `x` may also be the two parts
 * `[x0, x1]` of a channel concatenation (cin = both parts' channels), which is then read where the
 * parts lie instead of being written out. One kernel where the backend has one (wasm: the hidden
 * activations stay in cache), the plain-ops composite elsewhere. Differentiable in every input.
 */
export function pointwiseMlp(
  x: tf.Tensor | tf.Tensor[],
  w1: tf.Tensor,
  b1: tf.Tensor,
  w2: tf.Tensor,
  b2: tf.Tensor,
): tf.Tensor4D {
  assertPointwiseMlpInputs(x, w1, b1, w2, b2);
  registerWaveMixGradients();
  const [first, second] = (Array.isArray(x) ? x : [x]) as tf.Tensor4D[];
  const weights = { w1: w1 as tf.Tensor2D, b1: b1 as tf.Tensor1D, w2: w2 as tf.Tensor2D, b2: b2 as tf.Tensor1D };
  return runPointwiseMlp(
    second ? { x: first!, x2: second, ...weights } : { x: first!, ...weights },
    pointwiseMlpComposite,
  );
}
