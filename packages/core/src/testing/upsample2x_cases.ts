/**
 * The cases every x2 upsampling op's conformance suite shares: random shapes against the
 * composite (and an independent per-pixel reference where the suite has one) with the adjoint
 * identity, bad inputs get a typed error, and repeated calls and gradients leave the tensor count
 * as it was.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '../errors';
import { assert, assertClose, assertNoTensorGrowth, assertShape, assertThrows, dot, randomArray } from './assert';

type Add = (name: string, body: () => Promise<void>) => void;
type T4 = tf.Tensor4D;
export type Shape4 = [number, number, number, number];

/** Odd sizes, batch > 1, c = 8 (the MNIST network's width) and channel counts with a remainder of 4. */
export const UPSAMPLE_2X_SHAPES: readonly Shape4[] = [
  [1, 1, 1, 1],
  [1, 2, 3, 2],
  [2, 7, 5, 3],
  [3, 5, 9, 8],
  [2, 4, 6, 13],
  [1, 3, 1, 16],
];

export interface Upsample2xRandomCases {
  op: (x: tf.Tensor) => tf.Tensor;
  composite: (x: T4) => T4;
  compositeGrad: (dy: T4) => T4;
  /** The map and its adjoint computed pixel by pixel from the op's definition, and what that is called. */
  reference?: {
    name: string;
    forward: (x: Float32Array, shape: Shape4) => ArrayLike<number>;
    adjoint: (dy: Float32Array, shape: Shape4) => ArrayLike<number>;
  };
  shapes?: readonly Shape4[];
  seed: number;
  valueTolerance: number;
  gradientTolerance: number;
}

/** One case a shape: values and gradient against the reference and the composite, and <Ux, dy> = <x, U^T dy>. */
export function addUpsample2xRandomCases(add: Add, spec: Upsample2xRandomCases): void {
  const { op, composite, compositeGrad, reference, seed } = spec;
  const valueTol = spec.valueTolerance;
  const gradTol = spec.gradientTolerance;
  const values = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  (spec.shapes ?? UPSAMPLE_2X_SHAPES).forEach((shape, s) => {
    const [b, h, w, c] = shape;
    const outShape: Shape4 = [b, 2 * h, 2 * w, c];
    const name = reference
      ? `values and gradient by ${reference.name}, equal to the composite; the adjoint`
      : 'equals the composite; gradient is the adjoint';
    add(`[${shape.join(', ')}]: ${name}`, async () => {
      const xValues = randomArray(size(shape), seed + s);
      const dyValues = randomArray(size(outShape), seed + 10 + s);
      const x = tf.tensor4d(xValues, shape);
      const dy = tf.tensor4d(dyValues, outShape);
      const y = op(x);
      const grad = tf.grad((input: tf.Tensor) => op(input))(x, dy);
      const expected = composite(x);
      const expectedGrad = compositeGrad(dy);
      try {
        assertShape(y.shape, outShape, 'output');
        assertShape(grad.shape, shape, 'gradient');
        if (reference) {
          const by = `by ${reference.name}`;
          assertClose(await values(y), reference.forward(xValues, shape), { rtol: valueTol, label: `y ${by}` });
          assertClose(await values(grad), reference.adjoint(dyValues, shape), { rtol: gradTol, label: `grad ${by}` });
        }
        assertClose(await values(y), await values(expected), { rtol: valueTol, label: 'forward vs composite' });
        assertClose(await values(grad), await values(expectedGrad), { rtol: gradTol, label: 'gradient vs composite' });
        const lhs = dot(await values(y), dyValues);
        const rhs = dot(xValues, await values(grad));
        assert(
          Math.abs(lhs - rhs) <= gradTol * Math.max(1, Math.abs(lhs)),
          `<Ux, dy> = ${lhs} but <x, U^T dy> = ${rhs}`,
        );
      } finally {
        tf.dispose([x, dy, y, grad, expected, expectedGrad]);
      }
    });
  });
}

export function addUpsample2xCommonCases(add: Add, op: (x: tf.Tensor) => tf.Tensor, channels: number, seed: number) {
  add('bad inputs raise WaveMixArgumentError', async () => {
    const rank3 = tf.zeros([4, 4, 1]);
    const ints = tf.zeros([1, 4, 4, 1], 'int32');
    try {
      assertThrows(() => op(rank3), /^x: .*rank 4/, WaveMixArgumentError, 'rank 3');
      assertThrows(() => op(ints), /^x: .*float32, got int32/, WaveMixArgumentError, 'int32');
    } finally {
      tf.dispose([rank3, ints]);
    }
  });

  add('no tensor growth over repeated calls and gradients', async () => {
    const x = tf.tensor4d(randomArray(2 * 6 * 5 * channels, seed), [2, 6, 5, channels]);
    const dy = tf.tensor4d(randomArray(2 * 12 * 10 * channels, seed + 1), [2, 12, 10, channels]);
    const round = async () => {
      const outs = [op(x), tf.grad((input: tf.Tensor) => op(input))(x, dy)];
      await outs[1]!.data();
      tf.dispose(outs);
    };
    try {
      await assertNoTensorGrowth(round);
    } finally {
      tf.dispose([x, dy]);
    }
  });
}
