/**
 * Conformance cases for `pointwiseMlp` (Conv1x1 -> exact GELU -> Conv1x1): a hand-checkable case
 * with values and gradients computed once in float64 (python3, math.erf), random shapes against
 * the plain-ops chain and tfjs's own autodiff of it, bad inputs, tensor growth.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pointwiseMlpCompositeRaw } from '../composite_pointwise_mlp';
import { WaveMixArgumentError } from '../errors';
import { PointwiseMlp } from '../kernel_names';
import { pointwiseMlp } from '../ops/pointwise_mlp';
import { assertNoTensorGrowth, assertClose, assertShape, assertThrows, ConformanceError, randomArray } from './assert';
import { type ConformanceCase, type ConformanceOptions, conformanceCaseList } from './conformance';

type Shape4 = [number, number, number, number];
type Five = [tf.Tensor4D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];

/**
 * Two pixels, cin 2, hidden 3, out 2. Expected values: the float64 sums of
 * z = x w1 + b1, a = z Phi(z), y = a w2 + b2, and of the chain rule with dy (see the header).
 */
const HAND = {
  x: [1, -1, 0.5, 2],
  w1: [1, 0, -1, 0.5, 1, 2],
  b1: [0, -0.5, 0.25],
  w2: [1, -1, 2, 0, 0.5, 1],
  b2: [0.1, -0.2],
  dy: [1, 0.5, -1, 2],
  y: [0.241212452, -0.55392558, 6.17420181, 2.14987924],
  dx: [0.455775096, -0.0821196706, -4.8842583, -0.942440723],
  dw1: [-1.25745623, -1.38240758, 0.728897829, -7.19856272, -4.25493838, 3.02572898],
  db1: [-2.94866001, -2.50987677, 1.47982319],
  dw2: [-1.05405797, 2.97244401, -1.5, 2.749473, -3.75786278, 7.4952397],
  db2: [0, 2.5],
};

/** [x shape, hidden, out]: one pixel; channels off the 4- and 8-lane tiles; more pixels than one tile. */
const RANDOM_CASES: Array<[Shape4, number, number]> = [
  [[1, 1, 1, 1], 1, 1],
  [[1, 3, 5, 5], 7, 3],
  [[2, 4, 3, 8], 16, 8],
  [[2, 9, 7, 12], 24, 12],
  [[1, 16, 16, 16], 32, 16],
];

/** tfjs's gradients of the ops the reference chain uses (autodiff is the independent reference). */
function requireStandardGradients(): void {
  for (const name of ['Conv2D', 'Reshape', 'Add', 'Multiply', 'RealDiv', 'Erf']) {
    if (tf.getGradient(name) == null) {
      throw new ConformanceError(
        `the gradient cases need tfjs's gradient for ${name}: import '@tensorflow/tfjs' (or its gradient registrations) in the runner`,
      );
    }
  }
}

/** The unfused graph op for op, as tfjs-layers runs it (conv2d 1x1, gelu), differentiated by tfjs. */
function unfusedChain(x: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor): tf.Tensor {
  const [cin, hidden] = w1.shape as [number, number];
  const out = w2.shape[1]!;
  const z = tf.add(tf.conv2d(x as tf.Tensor4D, tf.reshape(w1, [1, 1, cin, hidden]) as tf.Tensor4D, 1, 'valid'), b1);
  const a = tf.mul(z, tf.mul(0.5, tf.add(1, tf.erf(tf.div(z, Math.SQRT2)))));
  return tf.add(tf.conv2d(a as tf.Tensor4D, tf.reshape(w2, [1, 1, hidden, out]) as tf.Tensor4D, 1, 'valid'), b2);
}

export function pointwiseMlpConformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  const valueTol = options.valueTolerance ?? 1e-5;
  const gradTol = options.gradientTolerance ?? 1e-4;
  const { cases, add } = conformanceCaseList(options, 'pointwiseMlp: ', [PointwiseMlp]);
  const values = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  const gradientsOf = (fn: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: Five, dy: tf.Tensor) =>
    tf.grads((x, w1, b1, w2, b2) => fn(x!, w1!, b1!, w2!, b2!))(inputs, dy);
  const names = ['dx', 'dw1', 'db1', 'dw2', 'db2'] as const;

  add('hand-checked 2 pixels, cin 2, hidden 3, out 2: values and all five gradients', async () => {
    const inputs: Five = [
      tf.tensor4d(HAND.x, [1, 1, 2, 2]),
      tf.tensor2d(HAND.w1, [2, 3]),
      tf.tensor1d(HAND.b1),
      tf.tensor2d(HAND.w2, [3, 2]),
      tf.tensor1d(HAND.b2),
    ];
    const dy = tf.tensor4d(HAND.dy, [1, 1, 2, 2]);
    const y = pointwiseMlp(...inputs);
    const grads = gradientsOf(pointwiseMlp, inputs, dy);
    try {
      assertShape(y.shape, [1, 1, 2, 2], 'output');
      assertClose(await values(y), HAND.y, { rtol: valueTol, label: 'y' });
      for (let i = 0; i < 5; i++) {
        assertShape(grads[i]!.shape, inputs[i]!.shape, `${names[i]} shape`);
        assertClose(await values(grads[i]!), HAND[names[i]!], { rtol: gradTol, label: names[i]! });
      }
    } finally {
      tf.dispose([...inputs, dy, y, ...grads]);
    }
  });

  RANDOM_CASES.forEach(([shape, hidden, out], s) => {
    const [b, h, w, cin] = shape;
    add(
      `x [${shape.join(', ')}], hidden ${hidden}, out ${out}: equals the unfused chain; gradients equal its autodiff`,
      async () => {
        requireStandardGradients();
        const inputs: Five = [
          tf.tensor4d(randomArray(b * h * w * cin, 70 + s), shape),
          tf.tensor2d(randomArray(cin * hidden, 80 + s), [cin, hidden]),
          tf.tensor1d(randomArray(hidden, 90 + s)),
          tf.tensor2d(randomArray(hidden * out, 100 + s), [hidden, out]),
          tf.tensor1d(randomArray(out, 110 + s)),
        ];
        const dy = tf.tensor4d(randomArray(b * h * w * out, 120 + s), [b, h, w, out]);
        const y = pointwiseMlp(...inputs);
        const composite = pointwiseMlpCompositeRaw({
          x: inputs[0],
          w1: inputs[1],
          b1: inputs[2],
          w2: inputs[3],
          b2: inputs[4],
        });
        const reference = unfusedChain(...inputs);
        const grads = gradientsOf(pointwiseMlp, inputs, dy);
        const referenceGrads = gradientsOf(unfusedChain, inputs, dy);
        try {
          assertShape(y.shape, [b, h, w, out], 'output');
          const expected = await values(reference);
          assertClose(await values(y), expected, { rtol: valueTol, label: 'forward vs unfused chain' });
          assertClose(await values(composite), expected, { rtol: valueTol, label: 'composite vs unfused chain' });
          for (let i = 0; i < 5; i++) {
            assertClose(await values(grads[i]!), await values(referenceGrads[i]!), {
              rtol: gradTol,
              label: `${names[i]} vs autodiff of the unfused chain`,
            });
          }
        } finally {
          tf.dispose([...inputs, dy, y, composite, reference, ...grads, ...referenceGrads]);
        }
      },
    );
  });

  add(
    'two parts of a channel concatenation: the unit on their concatenation; gradients split at the parts',
    async () => {
      requireStandardGradients();
      const [b, h, w, c1, c2, hidden, out] = [2, 3, 5, 4, 3, 9, 5];
      const parts = [
        tf.tensor4d(randomArray(b * h * w * c1, 140), [b, h, w, c1]),
        tf.tensor4d(randomArray(b * h * w * c2, 141), [b, h, w, c2]),
      ];
      const weights = [
        tf.tensor2d(randomArray((c1 + c2) * hidden, 142), [c1 + c2, hidden]),
        tf.tensor1d(randomArray(hidden, 143)),
        tf.tensor2d(randomArray(hidden * out, 144), [hidden, out]),
        tf.tensor1d(randomArray(out, 145)),
      ] as const;
      const dy = tf.tensor4d(randomArray(b * h * w * out, 146), [b, h, w, out]);
      const whole = tf.concat(parts, 3);
      const y = pointwiseMlp(parts, ...weights);
      const reference = unfusedChain(whole, ...weights);
      const grads = tf.grads((x0, x1, w1) => pointwiseMlp([x0!, x1!], w1!, weights[1], weights[2], weights[3]))(
        [parts[0]!, parts[1]!, weights[0]],
        dy,
      );
      const referenceGrads = tf.grads((x, w1) => unfusedChain(x!, w1!, weights[1], weights[2], weights[3]))(
        [whole, weights[0]],
        dy,
      );
      const [dx0, dx1] = tf.split(referenceGrads[0]!, [c1, c2], 3);
      try {
        assertShape(y.shape, [b, h, w, out], 'output');
        assertClose(await values(y), await values(reference), { rtol: valueTol, label: 'forward vs unfused chain' });
        const expected = [dx0!, dx1!, referenceGrads[1]!];
        ['dx[0]', 'dx[1]', 'dw1'].forEach((label, i) =>
          assertShape(grads[i]!.shape, expected[i]!.shape, `${label} shape`),
        );
        for (let i = 0; i < 3; i++) {
          assertClose(await values(grads[i]!), await values(expected[i]!), {
            rtol: gradTol,
            label: ['dx[0]', 'dx[1]', 'dw1'][i]!,
          });
        }
      } finally {
        tf.dispose([...parts, ...weights, dy, whole, y, reference, ...grads, ...referenceGrads, dx0!, dx1!]);
      }
    },
  );

  add('bad inputs raise WaveMixArgumentError naming the input', async () => {
    const x = tf.zeros([1, 2, 2, 3]);
    const w1 = tf.zeros([3, 4]);
    const b1 = tf.zeros([4]);
    const w2 = tf.zeros([4, 2]);
    const b2 = tf.zeros([2]);
    const bad = [
      tf.zeros([2, 2, 3]),
      tf.zeros([1, 2, 2, 3], 'int32'),
      tf.zeros([5, 4]),
      tf.zeros([4, 1]),
      tf.zeros([5]),
      tf.zeros([1, 1, 2, 3]),
    ];
    const [rank3, ints, w1Rows, w2Rows, b1Size, shorter] = bad;
    try {
      assertThrows(() => pointwiseMlp(rank3!, w1, b1, w2, b2), /^x: .*rank 4/, WaveMixArgumentError, 'rank 3 x');
      assertThrows(
        () => pointwiseMlp(ints!, w1, b1, w2, b2),
        /^x: .*float32, got int32/,
        WaveMixArgumentError,
        'int32',
      );
      assertThrows(
        () => pointwiseMlp(x, w1Rows!, b1, w2, b2),
        /^w1: .*\[3, 4\].*got \[5, 4\]/,
        WaveMixArgumentError,
        'w1',
      );
      assertThrows(() => pointwiseMlp(x, w1, b1Size!, w2, b2), /^b1: .*\[4\].*got \[5\]/, WaveMixArgumentError, 'b1');
      assertThrows(
        () => pointwiseMlp(x, w1, b1, w2Rows!, b2),
        /^b2: .*\[1\].*got \[2\]/,
        WaveMixArgumentError,
        'b2 vs w2',
      );
      assertThrows(() => pointwiseMlp(x, w1, b1, w1, b2), /^w2: .*\[4, 4\].*got \[3, 4\]/, WaveMixArgumentError, 'w2');
      assertThrows(() => pointwiseMlp(x, b1, b1, w2, b2), /^w1: .*rank 2/, WaveMixArgumentError, 'rank-1 w1');
      // Two parts: their spatial sizes must agree, w1 has both parts' channels, and no third part.
      assertThrows(
        () => pointwiseMlp([x, shorter!], w1, b1, w2, b2),
        /^x\[1\]: must match x\[0\] in batch, height and width/,
        WaveMixArgumentError,
        'parts of different heights',
      );
      assertThrows(
        () => pointwiseMlp([x, x], w1, b1, w2, b2),
        /^w1: .*\[6, 4\].*got \[3, 4\]/,
        WaveMixArgumentError,
        'w1 rows vs both parts',
      );
      assertThrows(
        () => pointwiseMlp([x, x, x], w1, b1, w2, b2),
        /^x: .*two parts/,
        WaveMixArgumentError,
        'three parts',
      );
    } finally {
      tf.dispose([x, w1, b1, w2, b2, ...bad]);
    }
  });

  add('no tensor growth over repeated calls and gradients', async () => {
    const inputs: Five = [
      tf.tensor4d(randomArray(2 * 3 * 5 * 6, 130), [2, 3, 5, 6]),
      tf.tensor2d(randomArray(6 * 12, 131), [6, 12]),
      tf.tensor1d(randomArray(12, 132)),
      tf.tensor2d(randomArray(12 * 4, 133), [12, 4]),
      tf.tensor1d(randomArray(4, 134)),
    ];
    const dy = tf.tensor4d(randomArray(2 * 3 * 5 * 4, 135), [2, 3, 5, 4]);
    const round = async () => {
      const outs = [pointwiseMlp(...inputs), ...gradientsOf(pointwiseMlp, inputs, dy)];
      // Only dx: the other closures are never called.
      outs.push(
        tf.grad((x) => pointwiseMlp(x, ...(inputs.slice(1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])))(
          inputs[0],
          dy,
        ),
      );
      await values(outs[outs.length - 1]!);
      tf.dispose(outs);
    };
    try {
      await assertNoTensorGrowth(round);
    } finally {
      tf.dispose([...inputs, dy]);
    }
  });

  return cases;
}
