/**
 * Conformance cases for `bicubicUpsample2x` (PyTorch bicubic x2, align_corners=False): the PyTorch
 * fixture (values and gradient), the composite, the adjoint identity, bad inputs, tensor growth.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bicubicUpsample2xCompositeRaw, bicubicUpsample2xGradCompositeRaw } from '../composite_bicubic';
import { BicubicUpsample2x, BicubicUpsample2xGrad } from '../kernel_names';
import { bicubicUpsample2x } from '../ops/bicubic_upsample_2x';
import { addUpsample2xCommonCases, addUpsample2xRandomCases, type Shape4 } from './upsample2x_cases';
import { assertClose, assertShape } from './assert';
import { type ConformanceCase, type ConformanceOptions, conformanceCaseList } from './conformance';
import { bicubicFixtureCases } from './fixture';
import { nchwToNhwc } from './layout';

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

  addUpsample2xRandomCases(add, {
    op: bicubicUpsample2x,
    composite: bicubicUpsample2xCompositeRaw,
    compositeGrad: bicubicUpsample2xGradCompositeRaw,
    shapes: RANDOM_SHAPES,
    seed: 40,
    valueTolerance: valueTol,
    gradientTolerance: gradTol,
  });

  addUpsample2xCommonCases(add, bicubicUpsample2x, 3, 60);

  return cases;
}
