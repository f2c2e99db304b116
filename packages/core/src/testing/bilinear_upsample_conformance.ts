/**
 * Conformance cases for `bilinearUpsample2x` (PyTorch bilinear x2, align_corners=False): a worked
 * example computed by PyTorch, values and gradient against PyTorch's source-coordinate formula
 * evaluated per output pixel, the composite, the adjoint identity, bad inputs, tensor growth.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bilinearUpsample2xCompositeRaw, bilinearUpsample2xGradCompositeRaw } from '../composite_bilinear';
import { BilinearUpsample2x, BilinearUpsample2xGrad } from '../kernel_names';
import { bilinearUpsample2x } from '../ops/bilinear_upsample_2x';
import { addUpsample2xCommonCases, addUpsample2xRandomCases, type Shape4 } from './upsample2x_cases';
import { assertClose, assertShape } from './assert';
import { type ConformanceCase, type ConformanceOptions, conformanceCaseList } from './conformance';

/**
 * PyTorch's `area_pixel_compute_source_index` for scale 2 without corner alignment: source
 * (i + 0.5) / 2 - 0.5 clamped at 0, taps floor(source) and the next one (clamped), weights by distance.
 */
function taps(i: number, n: number): [number, number, number, number] {
  const source = Math.max((i + 0.5) / 2 - 0.5, 0);
  const i0 = Math.floor(source);
  const lambda = source - i0;
  return [i0, Math.min(i0 + 1, n - 1), 1 - lambda, lambda];
}

/** Visits every (output, input, weight) of the map, output and input as flat NHWC offsets without the channel. */
function forEachWeight([b, h, w]: Shape4, visit: (out: number, input: number, weight: number) => void): void {
  for (let n = 0; n < b; n++)
    for (let i = 0; i < 2 * h; i++) {
      const [r0, r1, wr0, wr1] = taps(i, h);
      for (let j = 0; j < 2 * w; j++) {
        const [c0, c1, wc0, wc1] = taps(j, w);
        const out = (n * 2 * h + i) * 2 * w + j;
        visit(out, (n * h + r0) * w + c0, wr0 * wc0);
        visit(out, (n * h + r0) * w + c1, wr0 * wc1);
        visit(out, (n * h + r1) * w + c0, wr1 * wc0);
        visit(out, (n * h + r1) * w + c1, wr1 * wc1);
      }
    }
}

function upsampleByFormula(x: Float32Array, shape: Shape4): Float64Array {
  const c = shape[3];
  const y = new Float64Array(shape[0] * 4 * shape[1] * shape[2] * c);
  forEachWeight(shape, (out, input, weight) => {
    for (let k = 0; k < c; k++) y[out * c + k]! += weight * x[input * c + k]!;
  });
  return y;
}

function adjointByFormula(dy: Float32Array, shape: Shape4): Float64Array {
  const c = shape[3];
  const dx = new Float64Array(shape[0] * shape[1] * shape[2] * c);
  forEachWeight(shape, (out, input, weight) => {
    for (let k = 0; k < c; k++) dx[input * c + k]! += weight * dy[out * c + k]!;
  });
  return dx;
}

export function bilinearUpsampleConformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  const valueTol = options.valueTolerance ?? 1e-5;
  const gradTol = options.gradientTolerance ?? 1e-4;
  const { cases, add } = conformanceCaseList(options, 'bilinearUpsample2x: ', [
    BilinearUpsample2x,
    BilinearUpsample2xGrad,
  ]);
  const values = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  const gradOf = (x: tf.Tensor, dy: tf.Tensor) => tf.grad((input: tf.Tensor) => bilinearUpsample2x(input))(x, dy);

  // PyTorch 1.13: F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False) and its
  // backward with dy = arange(32), both in NHWC order; two images so a batch-stride slip shows.
  add('worked example [2, 2, 2, 1] (PyTorch): values and gradient', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]);
    const dy = tf.tensor4d(
      Array.from({ length: 32 }, (_, i) => i),
      [2, 4, 4, 1],
    );
    const y = bilinearUpsample2x(x);
    const grad = gradOf(x, dy);
    try {
      assertShape(y.shape, [2, 4, 4, 1], 'output');
      const image0 = [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4];
      assertClose(await values(y), [...image0, ...image0.map((v) => v + 4)], { rtol: 0, label: 'y' });
      assertShape(grad.shape, [2, 2, 2, 1], 'gradient');
      assertClose(await values(grad), [12.5, 19.5, 40.5, 47.5, 76.5, 83.5, 104.5, 111.5], {
        rtol: 1e-6,
        label: 'grad_x',
      });
    } finally {
      tf.dispose([x, dy, y, grad]);
    }
  });

  addUpsample2xRandomCases(add, {
    op: bilinearUpsample2x,
    composite: bilinearUpsample2xCompositeRaw,
    compositeGrad: bilinearUpsample2xGradCompositeRaw,
    reference: { name: "PyTorch's formula", forward: upsampleByFormula, adjoint: adjointByFormula },
    seed: 170,
    valueTolerance: valueTol,
    gradientTolerance: gradTol,
  });

  addUpsample2xCommonCases(add, bilinearUpsample2x, 8, 190);

  return cases;
}
