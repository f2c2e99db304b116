import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { pointwiseMlp, pointwiseMlpCompositeRaw, PointwiseMlp, PointwiseMlpConcat } from '@wavemix/core';
import '../index';
import { expectClose, randomValues, runOn, sizeOf } from '../testing/compare';
import { relaxedSimdSupported, setWasmSimdVariant, type WasmSimdVariant } from '../train/simd_variant';
import { pointwiseMlpMacs, pointwiseMlpTile, setPointwiseMlpTile } from './PointwiseMlp';

/** The fused wasm kernel against the plain-ops composite on the cpu backend, in both SIMD builds. */
const variants: WasmSimdVariant[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];

const t = (shape: number[], seed: number, scale = 1) =>
  tf.tensor(
    randomValues(sizeOf(shape), seed).map((v) => v * scale),
    shape,
  );

/** x, w1, b1, w2, b2 for x [b, h, w, cin]; weights scaled like a trained layer (1 / sqrt(fan-in)), x by 3. */
function inputsFor([b, h, w, cin]: number[], hidden: number, out: number, seed: number): tf.Tensor[] {
  return [
    t([b!, h!, w!, cin!], seed, 3),
    t([cin!, hidden], seed + 1, 1 / Math.sqrt(cin!)),
    t([hidden], seed + 2, 0.5),
    t([hidden, out], seed + 3, 1 / Math.sqrt(hidden)),
    t([out], seed + 4, 0.5),
  ];
}

const composite = ([x, w1, b1, w2, b2]: tf.Tensor[]) =>
  pointwiseMlpCompositeRaw({
    x: x as tf.Tensor4D,
    w1: w1 as tf.Tensor2D,
    b1: b1 as tf.Tensor1D,
    w2: w2 as tf.Tensor2D,
    b2: b2 as tf.Tensor1D,
  });
const fused = ([x, w1, b1, w2, b2]: tf.Tensor[]) => pointwiseMlp(x!, w1!, b1!, w2!, b2!);

/** [x shape, hidden, out]: tails in every dimension (pixels vs tile and 4 rows, hidden and out vs 8 lanes). */
const SHAPES: Array<[number[], number, number]> = [
  [[1, 1, 1, 3], 5, 1],
  [[1, 3, 3, 9], 13, 7],
  [[2, 5, 7, 16], 36, 10],
  [[3, 8, 8, 64], 128, 64], // W2's feed-forward (cin 64, hidden 128) at a smaller batch
  [[1, 7, 7, 192], 384, 96], // W3's level-3 feed-forward
];

describe.each(variants)('PointwiseMlp kernel (%s build)', (variant) => {
  beforeAll(() => setWasmSimdVariant(variant));
  afterAll(() => setWasmSimdVariant('auto'));

  test.each(SHAPES)('x %j, hidden %i, out %i: equals the cpu composite within 1e-5', async (shape, hidden, out) => {
    const expected = await runOn('cpu', () => composite(inputsFor(shape, hidden, out, 11)));
    await tf.setBackend('wasm');
    expect(tf.getKernel(PointwiseMlp, 'wasm')).toBeDefined();
    const actual = await runOn('wasm', () => fused(inputsFor(shape, hidden, out, 11)));
    expectClose(actual[0]!, expected[0]!, 1e-5, 0);
  });

  test('every tile size gives the same result (1, partial and several tiles per call)', async () => {
    const shape = [2, 6, 5, 24];
    const expected = await runOn('cpu', () => composite(inputsFor(shape, 40, 12, 21)));
    try {
      for (const tile of [4, 8, 12, 32, 64]) {
        setPointwiseMlpTile(tile);
        const actual = await runOn('wasm', () => fused(inputsFor(shape, 40, 12, 21)));
        expectClose(actual[0]!, expected[0]!, 1e-5, 0);
      }
    } finally {
      setPointwiseMlpTile(null);
    }
  });
});

/** [first part's shape, second part's channels, hidden, out]: W3's level-2 unit, tails, a 1-channel part. */
const CONCAT_SHAPES: Array<[number[], number, number, number]> = [
  [[1, 14, 14, 192], 96, 384, 96],
  [[2, 5, 7, 9], 7, 13, 7],
  [[1, 3, 3, 4], 1, 8, 3],
];

/** The two parts, the weights (w1 over both parts' channels) and a cotangent for the output. */
function concatInputs([b, h, w, c1]: number[], c2: number, hidden: number, out: number, seed: number): tf.Tensor[] {
  return [
    t([b!, h!, w!, c1!], seed, 3),
    t([b!, h!, w!, c2], seed + 5, 3),
    ...inputsFor([b!, h!, w!, c1! + c2], hidden, out, seed).slice(1),
    t([b!, h!, w!, out], seed + 6),
  ];
}

/** The output, then the gradients in both parts and w1 of sum(output * dy). */
const concatValuesAndGradients = ([x0, x1, w1, b1, w2, b2, dy]: tf.Tensor[]) => {
  const loss = (a: tf.Tensor, b: tf.Tensor, w: tf.Tensor) =>
    tf.sum(tf.mul(pointwiseMlp([a, b], w, b1!, w2!, b2!), dy!));
  return [pointwiseMlp([x0!, x1!], w1!, b1!, w2!, b2!), ...tf.grads(loss)([x0!, x1!, w1!])];
};

describe.each(variants)('PointwiseMlpConcat kernel (%s build): the concatenation read in place', (variant) => {
  beforeAll(() => setWasmSimdVariant(variant));
  afterAll(() => setWasmSimdVariant('auto'));

  test.each(CONCAT_SHAPES)(
    'parts %j + %i channels, hidden %i, out %i: output and gradients equal the cpu composite of the concatenation',
    async (shape, c2, hidden, out) => {
      const expected = await runOn('cpu', () => {
        const [x0, x1, w1, b1, w2, b2, dy] = concatInputs(shape, c2, hidden, out, 51);
        const whole = composite([tf.concat([x0!, x1!], 3), w1!, b1!, w2!, b2!]);
        const loss = (a: tf.Tensor, b: tf.Tensor, w: tf.Tensor) =>
          tf.sum(tf.mul(composite([tf.concat([a, b], 3), w, b1!, w2!, b2!]), dy!));
        return [whole, ...tf.grads(loss)([x0!, x1!, w1!])];
      });
      await tf.setBackend('wasm');
      expect(tf.getKernel(PointwiseMlpConcat, 'wasm')).toBeDefined();
      const actual = await runOn('wasm', () => concatValuesAndGradients(concatInputs(shape, c2, hidden, out, 51)));
      ['output', 'dx0', 'dx1', 'dw1'].forEach((name, i) => {
        try {
          expectClose(actual[i]!, expected[i]!, 1e-5, 0);
        } catch (error) {
          throw new Error(`${name}: ${(error as Error).message}`);
        }
      });
    },
  );
});

describe('PointwiseMlp kernel, wasm', () => {
  beforeAll(() => tf.setBackend('wasm'));

  test('another W2 tensor gets its own packed panels (the cache is per weight tensor)', async () => {
    const x = t([1, 4, 4, 8], 31, 3);
    const weights = inputsFor([1, 4, 4, 8], 16, 8, 32).slice(1);
    const first = pointwiseMlp(x, weights[0]!, weights[1]!, weights[2]!, weights[3]!);
    const scaled = tf.mul(weights[2]!, 2);
    const second = pointwiseMlp(x, weights[0]!, weights[1]!, scaled, weights[3]!);
    const expected = await runOn('cpu', () => {
      const w = inputsFor([1, 4, 4, 8], 16, 8, 32);
      return composite([t([1, 4, 4, 8], 31, 3), w[1]!, w[2]!, tf.mul(w[3]!, 2), w[4]!]);
    });
    await tf.setBackend('wasm');
    expectClose((await second.data()) as Float32Array, expected[0] as Float32Array, 1e-5, 0);
    const difference = tf.max(tf.abs(tf.sub(first, second)));
    expect((await difference.data())[0]).toBeGreaterThan(0.01);
    tf.dispose([x, ...weights, first, scaled, second, difference]);
  });

  test('no tensor growth across repeated calls', async () => {
    const inputs = inputsFor([2, 5, 5, 16], 32, 16, 41);
    pointwiseMlp(inputs[0]!, inputs[1]!, inputs[2]!, inputs[3]!, inputs[4]!).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) pointwiseMlp(inputs[0]!, inputs[1]!, inputs[2]!, inputs[3]!, inputs[4]!).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(inputs);
  });

  test('tile sizes and multiply-add count', () => {
    expect(pointwiseMlpTile(128)).toBe(32); // 16 KB / (128 floats * 4 B)
    expect(pointwiseMlpTile(384)).toBe(8); // 10.7 rows -> 8
    expect(pointwiseMlpTile(8)).toBe(64);
    expect(pointwiseMlpMacs([64, 16, 16, 64], 128, 64)).toBe(64 * 16 * 16 * 128 * 128);
    expect(() => setPointwiseMlpTile(6)).toThrow(/multiple of 4/);
  });
});
