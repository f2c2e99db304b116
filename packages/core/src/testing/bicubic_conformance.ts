/**
 * Conformance cases for `bicubicUpsample2x` (PyTorch bicubic x2, align_corners=False): the PyTorch
 * fixture (values and gradient), the composite, the adjoint identity, bad inputs, tensor growth.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bicubicUpsample2xCompositeRaw, bicubicUpsample2xGradCompositeRaw } from '../composite_bicubic';
import { BicubicUpsample2x, BicubicUpsample2xGrad } from '../kernel_names';
import { bicubicUpsample2x } from '../ops/bicubic_upsample_2x';
import { addUpsample2xCommonCases } from './upsample2x_cases';
import { assert, assertClose, assertShape, dot, randomArray } from './assert';
import { type ConformanceCase, type ConformanceOptions, conformanceCaseList } from './conformance';
import { bicubicFixtureCases } from './fixture';
import { nchwToNhwc } from './layout';

type Shape4 = [number, number, number, number];

const RANDOM_SHAPES: Shape4[] = [
  [1, 1, 1, 1],
  [1, 2, 3, 2],
  [2, 7, 5, 3],
  [1, 33, 20, 4],
];

export function bicubicConformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  const valueTol = options.valueTolerance ?? 1e-5;
  const gradTol = options.gradientTolerance ?? 1e-4;
  const { cases, add } = conformanceCaseList(options, 'bicubicUpsample2x: ', [
    BicubicUpsample2x,
    BicubicUpsample2xGrad,
  ]);
  const values = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

  for (const fixture of bicubicFixtureCases()) {
    const [n, c, h, w] = fixture.xShape;
    add(
      `fixture case${fixture.index} [${fixture.xShape.join(', ')}] NCHW: values and gradient match PyTorch`,
      async () => {
        const x = tf.tensor4d(nchwToNhwc(fixture.x, fixture.xShape), [n, h, w, c]);
        const seed = tf.tensor4d(nchwToNhwc(fixture.w, fixture.yShape), [n, 2 * h, 2 * w, c]);
        const y = bicubicUpsample2x(x);
        const grad = tf.grad((input: tf.Tensor) => bicubicUpsample2x(input))(x, seed);
        try {
          assertShape(y.shape, [n, 2 * h, 2 * w, c], 'output');
          assertClose(await values(y), nchwToNhwc(fixture.y, fixture.yShape), { rtol: valueTol, label: 'y' });
          assertClose(await values(grad), nchwToNhwc(fixture.gradX, fixture.xShape), {
            rtol: gradTol,
            label: 'grad_x',
          });
        } finally {
          tf.dispose([x, seed, y, grad]);
        }
      },
    );
  }

  RANDOM_SHAPES.forEach((shape, s) => {
    const [b, h, w, c] = shape;
    const outShape: Shape4 = [b, 2 * h, 2 * w, c];
    add(`[${shape.join(', ')}]: equals the composite; gradient is the adjoint`, async () => {
      const x = tf.tensor4d(randomArray(size(shape), 40 + s), shape);
      const dy = tf.tensor4d(randomArray(size(outShape), 50 + s), outShape);
      const y = bicubicUpsample2x(x);
      const reference = bicubicUpsample2xCompositeRaw(x);
      const grad = tf.grad((input: tf.Tensor) => bicubicUpsample2x(input))(x, dy);
      const referenceGrad = bicubicUpsample2xGradCompositeRaw(dy);
      try {
        assertClose(await values(y), await values(reference), { rtol: valueTol, label: 'forward vs composite' });
        assertClose(await values(grad), await values(referenceGrad), { rtol: gradTol, label: 'gradient vs composite' });
        const lhs = dot(await values(y), await values(dy));
        const rhs = dot(await values(x), await values(grad));
        assert(
          Math.abs(lhs - rhs) <= gradTol * Math.max(1, Math.abs(lhs)),
          `<Ux, dy> = ${lhs} but <x, U^T dy> = ${rhs}`,
        );
      } finally {
        tf.dispose([x, dy, y, reference, grad, referenceGrad]);
      }
    });
  });

  addUpsample2xCommonCases(add, bicubicUpsample2x, 3, 60);

  return cases;
}
