/**
 * The DWT conformance suite every backend runs: a list of named async cases that throw on failure.
 * A jest file maps them to `test(...)`; the browser harness runs them in a page; nothing here
 * depends on a test runner. Results are read with `await tensor.data()` (WebGPU in Node has no
 * synchronous reads).
 */
import * as tf from '@tensorflow/tfjs-core';
import { dwt2dComposite, idwt2dComposite, waveletPyramidComposite } from '../composite';
import { WaveMixArgumentError } from '../errors';
import { Dwt2D, Idwt2D, WaveletPyramid } from '../kernel_names';
import { dwt2d } from '../ops/dwt2d';
import { idwt2d } from '../ops/idwt2d';
import { waveletPyramid } from '../ops/wavelet_pyramid';
import { maxLevels, pyramidShapes } from '../shapes';
import {
  assert,
  assertNoTensorGrowth,
  assertClose,
  assertShape,
  assertThrows,
  ConformanceError,
  dot,
  randomArray,
} from './assert';
import { dwtFixtureCases } from './fixture';
import { highChannels, nchwToNhwc, waveMixLayout } from './layout';

export interface ConformanceCase {
  name: string;
  run: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Backend the cases must run on; the runner selects it with `tf.setBackend` first. */
  backend?: string;
  /** Require our kernels to be registered, so a kernel package cannot pass on the composite. */
  expectKernels?: boolean;
  /** Relative tolerance for values (default 1e-5) and gradients (default 1e-4). */
  valueTolerance?: number;
  gradientTolerance?: number;
}

/**
 * A suite's case list and its `add`: every case first checks that the backend the runner asked
 * for is the active one, and with `expectKernels` the first case checks that the suite's kernels
 * are registered for it. Names get `prefix`.
 */
export function conformanceCaseList(
  options: ConformanceOptions,
  prefix: string,
  kernels: readonly string[],
): { cases: ConformanceCase[]; add: (name: string, body: () => Promise<void>) => void } {
  const cases: ConformanceCase[] = [];
  const add = (name: string, body: () => Promise<void>) => {
    cases.push({
      name: `${prefix}${name}`,
      run: async () => {
        if (options.backend !== undefined && tf.getBackend() !== options.backend) {
          throw new ConformanceError(`expected backend ${options.backend}, but ${tf.getBackend()} is active`);
        }
        await body();
      },
    });
  };
  if (options.expectKernels) {
    add(`${kernels.length === 1 ? 'kernel is' : 'kernels are'} registered for the backend`, async () => {
      const backend = tf.getBackend();
      for (const name of kernels) {
        assert(tf.getKernel(name, backend) != null, `no ${name} kernel registered for backend ${backend}`);
      }
    });
  }
  return { cases, add };
}

type T4 = tf.Tensor4D;
type Shape4 = [number, number, number, number];

async function values(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Shapes that exercise even, odd, 1x1 and multi-tile sizes. */
const RANDOM_SHAPES: Shape4[] = [
  [1, 1, 1, 1],
  [1, 5, 7, 3],
  [2, 9, 4, 2],
  [1, 33, 47, 5],
  [2, 64, 48, 8],
];

function requireStandardGradients(): void {
  for (const name of ['Multiply', 'Sum', 'AddN']) {
    if (tf.getGradient(name) == null) {
      throw new ConformanceError(
        `the gradient cases need tfjs's gradient for ${name}: import '@tensorflow/tfjs' (or its gradient registrations) in the runner`,
      );
    }
  }
}

/** d/dx of sum_l <levels_l(x), weights_l>, with the weights as constants. */
function weightedGrad(x: T4, weights: tf.Tensor[], fn: (x: T4) => tf.Tensor[]): tf.Tensor {
  return tf.grad((input: tf.Tensor) => {
    const outputs = fn(input as T4);
    return tf.addN(outputs.map((y, l) => tf.sum(tf.mul(y, weights[l]!))));
  })(x);
}

export function dwtConformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  const valueTol = options.valueTolerance ?? 1e-5;
  const gradTol = options.gradientTolerance ?? 1e-4;
  const { cases, add } = conformanceCaseList(options, '', [Dwt2D, Idwt2D, WaveletPyramid]);

  for (const fixture of dwtFixtureCases()) {
    const [n, c, h, w] = fixture.xShape;
    const levels = fixture.yh.length;
    const label = `fixture case${fixture.index} [${fixture.xShape.join(', ')}] NCHW, ${levels} level(s)`;
    const expectedLevels = fixture.levelShapes.map(([, , lh, lw], l) =>
      waveMixLayout(l === levels - 1 ? fixture.yl : null, fixture.yh[l]!, [n, c, lh, lw]),
    );

    add(`${label}: values match pytorch_wavelets`, async () => {
      const x = tf.tensor4d(nchwToNhwc(fixture.x, fixture.xShape), [n, h, w, c]);
      const pyramid = waveletPyramid(x, levels);
      const chained: T4[] = [];
      let input: T4 = x;
      for (let l = 0; l < levels; l++) {
        chained.push(dwt2d(input));
        input = tf.slice(chained[l]!, [0, 0, 0, 0], [-1, -1, -1, c]);
      }
      try {
        for (let l = 0; l < levels; l++) {
          const [, , lh, lw] = fixture.levelShapes[l]!;
          for (const [name, out] of [
            ['waveletPyramid', pyramid[l]!],
            ['dwt2d chain', chained[l]!],
          ] as const) {
            assertShape(out.shape, [n, lh, lw, 4 * c], `${name} level ${l + 1}`);
            const got = await values(out);
            if (l === levels - 1) {
              assertClose(got, expectedLevels[l]!, { rtol: valueTol, label: `${name} level ${l + 1}` });
            } else {
              const pixels = n * lh * lw;
              assertClose(highChannels(got, pixels, c), highChannels(expectedLevels[l]!, pixels, c), {
                rtol: valueTol,
                label: `${name} level ${l + 1} high bands`,
              });
            }
          }
        }
      } finally {
        tf.dispose([x, input, ...pyramid, ...chained]);
      }
    });

    add(`${label}: gradient matches PyTorch autograd`, async () => {
      requireStandardGradients();
      const expected = nchwToNhwc(fixture.gradX, fixture.xShape);
      const x = tf.tensor4d(nchwToNhwc(fixture.x, fixture.xShape), [n, h, w, c]);
      const weights = fixture.levelShapes.map(([, , lh, lw], l) =>
        tf.tensor4d(waveMixLayout(l === levels - 1 ? fixture.wl : null, fixture.wh[l]!, [n, c, lh, lw]), [
          n,
          lh,
          lw,
          4 * c,
        ]),
      );
      const grads = [weightedGrad(x, weights, (input) => waveletPyramid(input, levels))];
      if (levels === 1) grads.push(tf.grad((input: tf.Tensor) => dwt2d(input))(x, weights[0]!));
      try {
        for (const grad of grads) {
          assertShape(grad.shape, [n, h, w, c], 'grad_x');
          assertClose(await values(grad), expected, { rtol: gradTol, label: 'grad_x' });
        }
      } finally {
        tf.dispose([x, ...weights, ...grads]);
      }
    });
  }

  add('worked example: 4x4 input 1..16, one and two levels', async () => {
    const x = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );
    const one = dwt2d(x);
    const two = waveletPyramid(x, 2);
    try {
      assertClose(await values(one), [7, -4, -1, 0, 11, -4, -1, 0, 23, -4, -1, 0, 27, -4, -1, 0], {
        rtol: valueTol,
        label: 'level 1 [LL, LH, HL, HH] per pixel',
      });
      assertClose(await values(two[1]!), [34, -16, -4, 0], { rtol: valueTol, label: 'level 2' });
    } finally {
      tf.dispose([x, one, ...two]);
    }
  });

  add('worked example: 3x3 input 1..9 (zero mode)', async () => {
    const x = tf.tensor4d(
      Array.from({ length: 9 }, (_, i) => i + 1),
      [1, 3, 3, 1],
    );
    const y = dwt2d(x);
    try {
      assertShape(y.shape, [1, 2, 2, 4], '3x3 -> 2x2');
      // Per pixel [LL, LH, HL, HH]: LL [[6, 4.5], [7.5, 4.5]], LH [[-3, -1.5], [7.5, 4.5]],
      // HL [[-1, 4.5], [-0.5, 4.5]], HH [[0, -1.5], [-0.5, 4.5]].
      assertClose(await values(y), [6, -3, -1, 0, 4.5, -1.5, 4.5, -1.5, 7.5, 7.5, -0.5, -0.5, 4.5, 4.5, 4.5, 4.5], {
        rtol: valueTol,
        label: '3x3 bands',
      });
    } finally {
      tf.dispose([x, y]);
    }
  });

  add('worked example: channel layout with two channels', async () => {
    const data: number[] = [];
    for (let i = 1; i <= 16; i++) data.push(i, 10 * i);
    const x = tf.tensor4d(data, [1, 4, 4, 2]);
    const y = dwt2d(x);
    try {
      const first = (await values(y)).slice(0, 8);
      assertClose(first, [7, 70, -4, -1, 0, -40, -10, 0], {
        rtol: valueTol,
        label: '[LL_0, LL_1, LH_0, HL_0, HH_0, LH_1, HL_1, HH_1]',
      });
    } finally {
      tf.dispose([x, y]);
    }
  });

  RANDOM_SHAPES.forEach((shape, s) => {
    const [b, h, w, c] = shape;
    const label = `[${shape.join(', ')}]`;
    const [h2, w2] = [Math.ceil(h / 2), Math.ceil(w / 2)];
    const bandShape: Shape4 = [b, h2, w2, 4 * c];
    const levels = Math.min(3, maxLevels(h, w));

    add(`${label}: dwt2d and idwt2d equal the composite`, async () => {
      const x = tf.tensor4d(randomArray(size(shape), 100 + s), shape);
      const y = tf.tensor4d(randomArray(size(bandShape), 200 + s), bandShape);
      const outs = [dwt2d(x), dwt2dComposite(x), idwt2d(y, [h, w]), idwt2dComposite(y, h, w)];
      try {
        assertShape(outs[0]!.shape, bandShape, 'dwt2d');
        assertClose(await values(outs[0]!), await values(outs[1]!), { rtol: valueTol, label: 'dwt2d vs composite' });
        assertShape(outs[2]!.shape, shape, 'idwt2d');
        assertClose(await values(outs[2]!), await values(outs[3]!), { rtol: valueTol, label: 'idwt2d vs composite' });
      } finally {
        tf.dispose([x, y, ...outs]);
      }
    });

    add(`${label}: round trip idwt2d(dwt2d(x), [h, w]) = x`, async () => {
      const x = tf.tensor4d(randomArray(size(shape), 300 + s), shape);
      const y = dwt2d(x);
      const back = idwt2d(y, [h, w]);
      try {
        assertClose(await values(back), await values(x), { rtol: valueTol, label: 'round trip' });
      } finally {
        tf.dispose([x, y, back]);
      }
    });

    add(`${label}: adjoint identity <dwt2d(x), y> = <x, dwt2d^T(y)>`, async () => {
      const x = tf.tensor4d(randomArray(size(shape), 400 + s), shape);
      const y = tf.tensor4d(randomArray(size(bandShape), 500 + s), bandShape);
      const forward = dwt2d(x);
      const transposed = tf.grad((input: tf.Tensor) => dwt2d(input))(x, y);
      const inverse = idwt2d(y, [h, w]);
      try {
        const lhs = dot(await values(forward), await values(y));
        const xs = await values(x);
        const scale = Math.max(1, Math.abs(lhs), Math.sqrt(xs.length));
        for (const [name, t] of [
          ['gradient', transposed],
          ['idwt2d', inverse],
        ] as const) {
          const rhs = dot(xs, await values(t));
          assert(Math.abs(lhs - rhs) <= gradTol * scale, `${name}: <Dx, y> = ${lhs} but <x, D^T y> = ${rhs}`);
        }
        // The adjoint of idwt2d (crop after the inverse) is dwt2d (zero pad, then forward).
        const g = tf.tensor4d(randomArray(size(shape), 600 + s), shape);
        const idwtTransposed = tf.grad((input: tf.Tensor) => idwt2d(input, [h, w]))(y, g);
        const expected = dwt2d(g);
        try {
          assertClose(await values(idwtTransposed), await values(expected), {
            rtol: gradTol,
            label: 'idwt2d gradient = dwt2d',
          });
        } finally {
          tf.dispose([g, idwtTransposed, expected]);
        }
      } finally {
        tf.dispose([x, y, forward, transposed, inverse]);
      }
    });

    if (levels >= 1)
      add(`${label}: ${levels}-level pyramid equals the composite, values and gradient`, async () => {
        requireStandardGradients();
        const x = tf.tensor4d(randomArray(size(shape), 700 + s), shape);
        const shapes = pyramidShapes(shape, levels);
        const weights = shapes.map((levelShape, l) =>
          tf.tensor4d(randomArray(size(levelShape), 800 + 10 * s + l), levelShape),
        );
        const ours = waveletPyramid(x, levels);
        const reference = waveletPyramidComposite(x, levels);
        const grad = weightedGrad(x, weights, (input) => waveletPyramid(input, levels));
        const referenceGrad = weightedGrad(x, weights, (input) => waveletPyramidComposite(input, levels));
        try {
          for (let l = 0; l < levels; l++) {
            assertShape(ours[l]!.shape, shapes[l]!, `level ${l + 1}`);
            assertClose(await values(ours[l]!), await values(reference[l]!), {
              rtol: valueTol,
              label: `level ${l + 1}`,
            });
          }
          assertClose(await values(grad), await values(referenceGrad), { rtol: gradTol, label: 'pyramid gradient' });
        } finally {
          tf.dispose([x, ...weights, ...ours, ...reference, grad, referenceGrad]);
        }
      });
  });

  add('bad inputs raise WaveMixArgumentError naming the argument', async () => {
    const rank3 = tf.zeros([4, 4, 1]);
    const ints = tf.zeros([1, 4, 4, 1], 'int32');
    const empty = tf.zeros([1, 0, 4, 1]);
    const x = tf.zeros([1, 8, 8, 2]);
    const sixChannels = tf.zeros([1, 2, 2, 6]);
    const bands = tf.zeros([1, 2, 2, 4]);
    try {
      assertThrows(() => dwt2d(rank3), /^x: .*rank 4.*got rank 3/, WaveMixArgumentError, 'rank 3');
      assertThrows(() => dwt2d(ints), /^x: .*float32, got int32/, WaveMixArgumentError, 'int32');
      assertThrows(() => dwt2d(empty), /^x: .*positive/, WaveMixArgumentError, 'zero height');
      assertThrows(() => dwt2d(null as unknown as tf.Tensor), /^x: expected a tf.Tensor/, WaveMixArgumentError, 'null');
      for (const levels of [0, 2.5, 4, Number.NaN, '2' as unknown as number]) {
        assertThrows(
          () => waveletPyramid(x, levels),
          /^levels: must be an integer from 1 to 3/,
          WaveMixArgumentError,
          `levels ${String(levels)}`,
        );
      }
      assertThrows(
        () => idwt2d(sixChannels),
        /^y: channel count must be divisible by 4 .*got 6$/,
        WaveMixArgumentError,
        '6 channels',
      );
      assertThrows(
        () => idwt2d(bands, [5, 4]),
        /^outputSize: \[5, 4\] cannot come from 2x2/,
        WaveMixArgumentError,
        'outputSize',
      );
      assertThrows(() => idwt2d(rank3), /^y: .*rank 4/, WaveMixArgumentError, 'idwt2d rank 3');
    } finally {
      tf.dispose([rank3, ints, empty, x, sixChannels, bands]);
    }
  });

  add('no tensor growth over repeated calls and gradients', async () => {
    const shape: Shape4 = [2, 10, 14, 3];
    const x = tf.tensor4d(randomArray(size(shape), 900), shape);
    const dy = tf.tensor4d(randomArray(2 * 5 * 7 * 12, 901), [2, 5, 7, 12]);
    const round = async () => {
      const outs = [dwt2d(x), ...waveletPyramid(x, 3), tf.grad((input: tf.Tensor) => dwt2d(input))(x, dy)];
      outs.push(idwt2d(outs[0]!, [10, 14]));
      outs.push(tf.grad((input: tf.Tensor) => idwt2d(input, [10, 14]))(dy, x));
      await values(outs[outs.length - 1]!);
      tf.dispose(outs);
    };
    try {
      await assertNoTensorGrowth(round);
    } finally {
      tf.dispose([x, dy]);
    }
  });

  return cases;
}
