/**
 * Conformance cases for `nearestUpsample2x` (PyTorch nearest x2): a worked example, values and
 * gradient against direct indexing (y[n, i, j] = x[n, floor(i / 2), floor(j / 2)]), the composite,
 * the adjoint identity, bad inputs, tensor growth.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nearestUpsample2xCompositeRaw, nearestUpsample2xGradCompositeRaw } from '../composite_nearest';
import { NearestUpsample2x, NearestUpsample2xGrad } from '../kernel_names';
import { nearestUpsample2x } from '../ops/nearest_upsample_2x';
import { addUpsample2xCommonCases, addUpsample2xRandomCases, type Shape4 } from './upsample2x_cases';
import { assertClose, assertShape } from './assert';
import { type ConformanceCase, type ConformanceOptions, conformanceCaseList } from './conformance';

/** y[n, i, j, k] = x[n, floor(i / 2), floor(j / 2), k], by index arithmetic alone. */
function upsampleByIndex(x: Float32Array, [b, h, w, c]: Shape4): Float32Array {
  const y = new Float32Array(b * 4 * h * w * c);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < 2 * h; i++)
      for (let j = 0; j < 2 * w; j++)
        for (let k = 0; k < c; k++)
          y[((n * 2 * h + i) * 2 * w + j) * c + k] = x[((n * h + (i >> 1)) * w + (j >> 1)) * c + k]!;
  return y;
}

/** dx[n, i, j, k] = sum of dy over rows 2i, 2i + 1 and columns 2j, 2j + 1. */
function blockSumByIndex(dy: Float32Array, [b, h, w, c]: Shape4): Float32Array {
  const dx = new Float32Array(b * h * w * c);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < 2 * h; i++)
      for (let j = 0; j < 2 * w; j++)
        for (let k = 0; k < c; k++)
          dx[((n * h + (i >> 1)) * w + (j >> 1)) * c + k]! += dy[((n * 2 * h + i) * 2 * w + j) * c + k]!;
  return dx;
}

export function nearestUpsampleConformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  const valueTol = options.valueTolerance ?? 1e-5;
  const gradTol = options.gradientTolerance ?? 1e-4;
  const { cases, add } = conformanceCaseList(options, 'nearestUpsample2x: ', [
    NearestUpsample2x,
    NearestUpsample2xGrad,
  ]);
  const values = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  const gradOf = (x: tf.Tensor, dy: tf.Tensor) => tf.grad((input: tf.Tensor) => nearestUpsample2x(input))(x, dy);

  // Two images (tfjs 4.22's cpu ResizeNearestNeighborGrad gets every image after the first wrong).
  add('worked example [2, 1, 2, 2]: values and gradient', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 2, 2]);
    const dy = tf.tensor4d(
      Array.from({ length: 32 }, (_, i) => i),
      [2, 2, 4, 2],
    );
    const y = nearestUpsample2x(x);
    const grad = gradOf(x, dy);
    try {
      assertShape(y.shape, [2, 2, 4, 2], 'output');
      const row0 = [1, 2, 1, 2, 3, 4, 3, 4];
      const row1 = [5, 6, 5, 6, 7, 8, 7, 8];
      assertClose(await values(y), [...row0, ...row0, ...row1, ...row1], { rtol: 0, label: 'y' });
      assertShape(grad.shape, [2, 1, 2, 2], 'gradient');
      // e.g. dx[0, 0, 0, 0] = dy at (row, col) (0, 0), (0, 1), (1, 0), (1, 1) of channel 0 = 0 + 2 + 8 + 10
      assertClose(await values(grad), [20, 24, 36, 40, 84, 88, 100, 104], { rtol: 0, label: 'grad_x' });
    } finally {
      tf.dispose([x, dy, y, grad]);
    }
  });

  addUpsample2xRandomCases(add, {
    op: nearestUpsample2x,
    composite: nearestUpsample2xCompositeRaw,
    compositeGrad: nearestUpsample2xGradCompositeRaw,
    reference: { name: 'index', forward: upsampleByIndex, adjoint: blockSumByIndex },
    seed: 70,
    valueTolerance: valueTol,
    gradientTolerance: gradTol,
  });

  addUpsample2xCommonCases(add, nearestUpsample2x, 8, 90);

  return cases;
}
