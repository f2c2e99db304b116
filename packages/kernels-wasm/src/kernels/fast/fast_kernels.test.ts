import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '../../index';
import { expectClose, randomValues, runOn, sizeOf } from '../../testing/compare';
import { relaxedSimdSupported, setWasmSimdVariant, type WasmSimdVariant } from '../../train/simd_variant';

/** Each replaced wasm kernel against the cpu backend, on its fast path and on its fallback path. */
const t = (shape: number[], seed: number, scale = 3) =>
  tf.tensor(
    randomValues(sizeOf(shape), seed).map((v) => v * scale),
    shape,
  );

// exp / erf / GELU evaluate their polynomials with f32x4.relaxed_madd in the relaxed-SIMD build.
const variants: WasmSimdVariant[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];
const withVariant = (variant: WasmSimdVariant) => {
  beforeAll(() => setWasmSimdVariant(variant));
  afterAll(() => setWasmSimdVariant('auto'));
};

async function same(f: () => tf.Tensor | tf.Tensor[], rtol = 1e-6, atol = 1e-6) {
  const expected = await runOn('cpu', f);
  const actual = await runOn('wasm', f);
  expected.forEach((e, i) => expectClose(actual[i]!, e, rtol, atol));
}

describe('Tile', () => {
  test.each([
    [
      [1, 1, 1, 5],
      [2, 3, 4, 1],
    ],
    [
      [2, 3],
      [3, 2],
    ],
    [[4], [3]],
    [
      [2, 1, 3],
      [1, 4, 2],
    ],
    [
      [3, 2, 2],
      [1, 1, 1],
    ],
  ])('float32 %j x %j', async (shape, reps) => same(() => tf.tile(t(shape, 1), reps)));
  test('int32 and bool', async () => {
    await same(() => [
      tf.tile(
        tf.tensor(
          [
            [1, -2],
            [3, 4],
          ],
          [2, 2],
          'int32',
        ),
        [2, 3],
      ),
      tf.tile(tf.tensor([true, false], [2], 'bool'), [3]).cast('int32'),
    ]);
  });
});

describe('Sum and Mean', () => {
  test('over leading axes (fast path), with and without keepDims', async () => {
    const x = () => t([4, 3, 5, 6], 2);
    await same(
      () => [
        tf.sum(x(), [0, 1, 2]),
        tf.mean(x(), [0, 1, 2], true),
        tf.sum(x(), 0),
        tf.mean(x(), [1, 0]),
        tf.sum(t([9, 3], 3), 0),
      ],
      1e-6,
      1e-5,
    );
  });
  test('over consecutive inner axes (fast path: global average pooling), with and without keepDims', async () => {
    const x = () => t([4, 3, 5, 6], 7);
    await same(
      () => [tf.mean(x(), [1, 2]), tf.sum(x(), [2, 1], true), tf.mean(x(), 2), tf.mean(t([3, 4, 5], 5), 1)],
      1e-6,
      1e-5,
    );
  });
  test('accumulates in double precision, like the cpu backend', async () => {
    // 4097 rows of 1 and one of 1e8: a float32 running sum would lose the ones.
    const values = new Float32Array(4098 * 4).fill(1);
    values.fill(1e8, 0, 4);
    await same(() => tf.sum(tf.tensor(values, [4098, 4]), 0), 0, 0);
  });
  test('other axes and dtypes fall back to the backend', async () => {
    await same(
      () => [
        tf.sum(t([3, 4, 5], 4), [1, 2]),
        tf.mean(t([3, 4, 5, 2], 5), [0, 2]),
        tf.sum(t([3, 4], 6)),
        tf.sum(
          tf.tensor(
            [
              [1, 2],
              [3, 4],
            ],
            [2, 2],
            'int32',
          ),
          0,
        ),
      ],
      1e-6,
      1e-5,
    );
  });
});

describe('Add, Sub, Multiply, RealDiv', () => {
  const ops = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div };
  for (const [name, op] of Object.entries(ops)) {
    test(`${name}: per-channel, scalar and same-shape operands in both orders`, async () => {
      const full = () => t([2, 3, 4, 5], 7);
      const positive = (shape: number[], seed: number) => tf.add(tf.abs(t(shape, seed)), 0.5);
      await same(() => [
        op(full(), positive([5], 8)),
        op(positive([5], 9), full()),
        op(full(), positive([1, 1, 1, 5], 10)),
        op(full(), positive([4, 5], 11)),
        op(positive([3, 1, 5], 12), full()),
        op(full(), tf.scalar(1.5)),
        op(tf.scalar(-2.5), positive([2, 3, 4, 5], 13)),
        op(full(), positive([2, 3, 4, 5], 14)),
        op(tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([4, 5, 6], [3], 'int32')),
      ]);
    });
  }
});

describe.each(variants)('Exp and Erf (%s kernels)', (variant) => {
  withVariant(variant);
  const special = [
    0,
    -0,
    1e-30,
    -1e-30,
    1e-6,
    88.5,
    88.8,
    89,
    -87,
    -103,
    -110,
    Infinity,
    -Infinity,
    NaN,
    40,
    -40,
    5,
    -5,
  ];
  test('exp is within 2 float32 ulp of Math.exp, with inf, 0 and NaN at the ends', async () => {
    const x = Float32Array.from([...randomValues(997, 15).map((v) => v * 90), ...special]);
    const [y] = await runOn('wasm', () => tf.exp(tf.tensor(x)));
    for (let i = 0; i < x.length; i++) {
      const expected = Math.fround(Math.exp(x[i]!));
      if (Number.isNaN(expected)) {
        expect(y![i]).toBeNaN();
      } else if (!Number.isFinite(expected)) {
        expect(y![i]).toBe(expected);
      } else if (expected < 1.2e-38) {
        // Subnormal results: absolute error below the smallest normal float.
        expect(Math.abs(y![i]! - expected)).toBeLessThanOrEqual(1.2e-38);
      } else {
        expect(Math.abs(y![i]! - expected)).toBeLessThanOrEqual(2.5 * 2 ** (Math.floor(Math.log2(expected)) - 23));
      }
    }
  });
  test('erf matches the cpu backend to 2.5e-7 (its formula is accurate to 1.5e-7)', async () => {
    const x = () =>
      tf.tensor(
        Float32Array.from([
          ...randomValues(997, 16).map((v) => v * 6),
          ...randomValues(500, 17).map((v) => v * 0.01),
          ...special,
        ]),
      );
    await same(() => tf.erf(x()), 0, 2.5e-7);
  });
  test('erf is odd, exact at 0 and saturates at +-1', async () => {
    const [y] = await runOn('wasm', () =>
      tf.erf(tf.tensor([0, -0, 1e-20, -1e-20, 0.5, -0.5, 4, -4, 10, Infinity, -Infinity, NaN])),
    );
    expect(Object.is(y![0], 0)).toBe(true);
    expect(Object.is(y![1], -0)).toBe(true);
    // biome-ignore lint/correctness/noPrecisionLoss: the float64 erf value, compared at 25 digits
    expect(y![2]).toBeCloseTo(1.1283791670955126e-20, 25);
    expect(y![3]).toBe(-y![2]!);
    expect(y![4]).toBeCloseTo(0.5204998778130465, 6);
    expect(y![5]).toBe(-y![4]!);
    expect(Array.from(y!.slice(6, 11))).toEqual([1, -1, 1, 1, -1]);
    expect(y![11]).toBeNaN();
  });
});

describe('FusedBatchNorm', () => {
  test('per-channel statistics with and without scale and offset', async () => {
    const x = () => t([2, 3, 4, 6], 20, 5);
    const mean = () => t([6], 21);
    const variance = () => tf.add(tf.abs(t([6], 22)), 0.1);
    await same(
      () => [
        tf.batchNorm(x(), mean(), variance(), t([6], 23), t([6], 24), 1e-5),
        tf.batchNorm(x(), mean(), variance(), undefined, undefined, 1e-3),
        tf.batchNorm(tf.add(x(), 1000), tf.add(mean(), 1000), variance(), t([6], 25), undefined, 1e-5),
      ],
      1e-5,
      1e-5,
    );
  });
  test('statistics of the input rank fall back to the backend', async () => {
    await same(
      () =>
        tf.batchNorm(t([2, 3], 26), t([2, 3], 27), tf.add(tf.abs(t([2, 3], 28)), 0.5), t([2, 3], 29), t([2, 3], 30)),
      1e-5,
      1e-5,
    );
  });
});

describe('Identity and Cast share the buffer', () => {
  test('values survive disposing the source', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const before = tf.engine().backend.numDataIds();
    const copies = [tf.clone(x), tf.cast(x, 'float32')];
    expect(tf.engine().backend.numDataIds()).toBe(before);
    x.dispose();
    expect(Array.from(await copies[0]!.data())).toEqual([1, 2, 3, 4]);
    expect(Array.from(await copies[1]!.data())).toEqual([1, 2, 3, 4]);
    tf.dispose(copies);
    expect(tf.engine().backend.numDataIds()).toBe(before - 1);
    expect(Array.from(await tf.cast(tf.tensor([1.7, -2.2]), 'int32').data())).toEqual([1, -2]);
  });
});

describe('Conv2D and FusedConv2D', () => {
  const x = () => t([2, 7, 6, 9], 40);
  const w = (shape: number[]) => t(shape, 41, 0.5);
  test('our GEMM path (>= 8 input channels): strides, padding, dilation, bias', async () => {
    await same(
      () => [
        tf.conv2d(x() as tf.Tensor4D, w([3, 3, 9, 10]) as tf.Tensor4D, 1, 'same'),
        tf.conv2d(x() as tf.Tensor4D, w([3, 2, 9, 17]) as tf.Tensor4D, [2, 1], 'valid'),
        tf.conv2d(x() as tf.Tensor4D, w([3, 3, 9, 8]) as tf.Tensor4D, 1, 'same', 'NHWC', 2),
        tf.fused.conv2d({
          x: x() as tf.Tensor4D,
          filter: w([1, 1, 9, 12]) as tf.Tensor4D,
          bias: t([12], 42),
          strides: 1,
          pad: 'valid',
        }),
        tf.fused.conv2d({
          x: x() as tf.Tensor4D,
          filter: w([4, 4, 9, 5]) as tf.Tensor4D,
          bias: t([5], 43),
          strides: 2,
          pad: [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ],
        }),
      ],
      1e-5,
      1e-5,
    );
  });
  test('fallbacks: few input channels, activations', async () => {
    await same(
      () => [
        tf.conv2d(t([2, 5, 5, 3], 44) as tf.Tensor4D, w([3, 3, 3, 4]) as tf.Tensor4D, 1, 'same'),
        tf.fused.conv2d({
          x: x() as tf.Tensor4D,
          filter: w([1, 1, 9, 6]) as tf.Tensor4D,
          bias: t([6], 45),
          activation: 'relu',
          strides: 1,
          pad: 'same',
        }),
      ],
      1e-5,
      1e-5,
    );
  });
  test('a filter reused across calls gives the same result after another filter was packed', async () => {
    await tf.setBackend('wasm');
    const filterA = w([3, 3, 9, 10]);
    const first = await tf.conv2d(x() as tf.Tensor4D, filterA as tf.Tensor4D, 1, 'same').data();
    const filterB = tf.mul(filterA, 2);
    await tf.conv2d(x() as tf.Tensor4D, filterB as tf.Tensor4D, 1, 'same').data();
    filterB.dispose();
    const again = await tf.conv2d(x() as tf.Tensor4D, filterA as tf.Tensor4D, 1, 'same').data();
    expect(Array.from(again)).toEqual(Array.from(first));
    filterA.dispose();
  });
});

describe('gradients of FusedBatchNorm and Mean (wasm fast paths)', () => {
  // (tfjs differentiates batchNorm only with both scale and offset, on any backend.)
  test('batch norm: all five partial derivatives', async () => {
    const inputs = () => [t([2, 3, 4, 6], 50, 2), t([6], 51), tf.add(tf.abs(t([6], 52)), 0.2), t([6], 53), t([6], 54)];
    const weights = () => t([2, 3, 4, 6], 55);
    await same(
      () => {
        const [x, mean, variance, scale, offset] = inputs();
        const w = weights();
        const withScale = tf.grads((a, b, c, d, e) => tf.sum(tf.mul(tf.batchNorm(a!, b!, c!, e!, d!, 1e-3), w)))([
          x!,
          mean!,
          variance!,
          scale!,
          offset!,
        ]);
        return withScale;
      },
      2e-5,
      1e-5,
    );
  });
  test('batch norm in training (statistics from the batch, as tfjs-layers does)', async () => {
    await same(
      () => {
        const x = t([4, 3, 3, 5], 56, 3);
        const w = t([4, 3, 3, 5], 57);
        const gamma = t([5], 58);
        const beta = t([5], 59);
        return tf.grads((a, g, b) => {
          const { mean, variance } = tf.moments(a!, [0, 1, 2]);
          return tf.sum(tf.mul(tf.batchNorm(a!, mean, variance, b!, g!, 1e-5), w));
        })([x, gamma, beta]);
      },
      1e-4,
      1e-5,
    );
  });
  test('mean over leading axes and over others', async () => {
    await same(() => {
      const x = t([3, 4, 5], 60);
      return [
        tf.grad((a) => tf.sum(tf.mul(tf.mean(a, [0, 1]), t([5], 61))))(x),
        tf.grad((a) => tf.sum(tf.mul(tf.mean(a, [0, 1], true), t([1, 1, 5], 62))))(x),
        tf.grad((a) => tf.sum(tf.mul(tf.mean(a, 2), t([3, 4], 63))))(x),
      ];
    });
  });
});

describe.each(variants)('GELU (%s kernels)', (variant) => {
  withVariant(variant);
  test('the fused kernel and its gradient match the tfjs-layers composite on cpu', async () => {
    const { gelu } = await import('../Gelu');
    const x = () =>
      tf.tensor(Float32Array.from([...randomValues(301, 70).map((v) => v * 6), 0, -0, 1e-8, 9, -9, 30, -30]));
    const composite = (v: tf.Tensor) => tf.mul(v, tf.mul(0.5, tf.add(1, tf.erf(tf.div(v, Math.sqrt(2))))));
    const w = () => t([308], 71);
    const expected = await runOn('cpu', () => [composite(x()), tf.grad((v) => tf.sum(tf.mul(composite(v), w())))(x())]);
    const actual = await runOn('wasm', () => [gelu(x()), tf.grad((v) => tf.sum(tf.mul(gelu(v), w())))(x())]);
    expectClose(actual[0]!, expected[0]!, 0, 2e-6);
    expectClose(actual[1]!, expected[1]!, 0, 2e-6);
  });
  test("tfjs-layers' 'gelu' activation resolves to FastGelu, and survives serialization", async () => {
    const { layers, input: layerInput, model: layerModel } = await import('@tensorflow/tfjs-layers');
    const { FastGelu, registerFastGelu } = await import('../Gelu');
    registerFastGelu();
    await tf.setBackend('wasm');
    const input = layerInput({ shape: [3] });
    const model = layerModel({
      inputs: input,
      outputs: layers.activation({ activation: 'gelu' }).apply(input) as never,
    });
    const activation = (model.layers[1] as unknown as { activation: unknown }).activation;
    expect(activation).toBeInstanceOf(FastGelu);
    expect(JSON.stringify(model.toJSON(null, false))).toContain('"activation":"gelu"');
    const y = await (model.predict(tf.tensor2d([[-1, 0, 2]])) as tf.Tensor).data();
    expectClose(y as Float32Array, Float32Array.from([-0.15865525, 0, 1.9544997]), 0, 1e-6);
    model.dispose();
  });
});
