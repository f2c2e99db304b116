import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { BatchNormTraining, BatchNormTrainingGrad, batchNormTraining } from '@wavemix/core';
import { createModel } from '@wavemix/models';
import { useWasmTraining } from '../index';
import { expectClose, randomValues, runOn, sizeOf } from '../testing/compare';
import { relaxedSimdSupported, setWasmSimdVariant, type WasmSimdVariant } from '../train/simd_variant';

/**
 * The wasm BatchNormTraining kernels against the cpu backend, where the op is the plain-ops
 * composite (tf.moments + tf.batchNorm) differentiated by tfjs' own gradients: the three outputs,
 * and the gradients in x, scale and offset of a loss that reads y and both statistics (so the
 * upstream gradients of the mean and variance are not zero). Shapes: channels a multiple of 4,
 * with a scalar tail, odd (odd scratch rows), one channel; rows fewer than, equal to and not a
 * multiple of the 16-row blocks; data centred far from zero (the two-pass variance).
 */
const shapes: number[][] = [
  [4, 8, 8, 64],
  [3, 5, 7, 6],
  [2, 17, 19, 19],
  [33, 1],
  [16, 5],
  [2, 3, 4, 3],
];

function inputs(shape: number[]) {
  const channels = shape[shape.length - 1]!;
  // Centred at 3 with spread ~0.6: a one-pass E[x^2] - E[x]^2 would lose digits here.
  const x = tf.add(tf.mul(tf.tensor(randomValues(sizeOf(shape), 3), shape), 0.6), 3);
  const scale = tf.tensor1d(randomValues(channels, 5)).add(1.5) as tf.Tensor1D;
  const offset = tf.tensor1d(randomValues(channels, 7)) as tf.Tensor1D;
  const wy = tf.tensor(randomValues(sizeOf(shape), 11), shape);
  const wm = tf.tensor1d(randomValues(channels, 13));
  const wv = tf.tensor1d(randomValues(channels, 17));
  return { x, scale, offset, wy, wm, wv };
}

/** Outputs and the gradients of sum(y wy) + sum(mean wm) + sum(variance wv), epsilon 1e-5. */
function valuesAndGradients(shape: number[]): tf.Tensor[] {
  const { x, scale, offset, wy, wm, wv } = inputs(shape);
  const outputs = batchNormTraining(x, scale, offset, 1e-5);
  const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
    const o = batchNormTraining(a, b, c, 1e-5);
    return tf.addN([tf.sum(tf.mul(o.y, wy)), tf.sum(tf.mul(o.mean, wm)), tf.sum(tf.mul(o.variance, wv))]) as tf.Scalar;
  };
  const grads = tf.grads(loss)([x, scale, offset]);
  return [outputs.y, outputs.mean, outputs.variance, ...grads];
}

const names = ['y', 'mean', 'variance', 'dx', 'dScale', 'dOffset'];
const variants: WasmSimdVariant[] = relaxedSimdSupported() ? ['relaxed-simd', 'simd'] : ['simd'];

beforeAll(async () => {
  await useWasmTraining();
});

test('the wasm kernels are registered by useWasmTraining', () => {
  expect(tf.getKernel(BatchNormTraining, 'wasm')).toBeDefined();
  expect(tf.getKernel(BatchNormTrainingGrad, 'wasm')).toBeDefined();
  expect(tf.getKernel(BatchNormTraining, 'cpu')).toBeUndefined();
});

describe.each(variants)('BatchNormTraining on wasm (%s) equals the composite on cpu', (variant) => {
  test.each(shapes.map((s) => [s.join('x'), s]))('%s: outputs and gradients', async (_label, shape) => {
    setWasmSimdVariant(variant);
    const expected = await runOn('cpu', () => valuesAndGradients(shape as number[]));
    const actual = await runOn('wasm', () => valuesAndGradients(shape as number[]));
    for (let i = 0; i < names.length; i++) {
      try {
        expectClose(actual[i]!, expected[i]!, 2e-5, 1e-6);
      } catch (error) {
        throw new Error(`${names[i]}: ${(error as Error).message}`);
      }
    }
  });
});

test('the statistics are the batch mean and biased variance, by hand', async () => {
  await tf.setBackend('wasm');
  // Channel 0: 1, 3, 5, 7 (mean 4, variance 5); channel 1: 10, 10, 10, 14 (mean 11, variance 3).
  const x = tf.tensor2d([1, 10, 3, 10, 5, 10, 7, 14], [4, 2]);
  const { y, mean, variance } = batchNormTraining(x, tf.tensor1d([2, 1]), tf.tensor1d([0, -1]), 1e-5);
  expectClose((await mean.data()) as Float32Array, new Float32Array([4, 11]), 0, 1e-6);
  expectClose((await variance.data()) as Float32Array, new Float32Array([5, 3]), 0, 1e-6);
  const r0 = 2 / Math.sqrt(5 + 1e-5);
  const r1 = 1 / Math.sqrt(3 + 1e-5);
  const want = [-3 * r0, -r1 - 1, -r0, -r1 - 1, r0, -r1 - 1, 3 * r0, 3 * r1 - 1];
  expectClose((await y.data()) as Float32Array, new Float32Array(want), 1e-6, 1e-6);
  tf.dispose([x, y, mean, variance]);
});

test('repeated forward and backward passes leak no tensors (statistics unused: zero upstream gradients)', async () => {
  await tf.setBackend('wasm');
  const shape = [4, 6, 6, 8];
  const x = tf.tensor(randomValues(sizeOf(shape), 1), shape);
  const scale = tf.ones([8]) as tf.Tensor1D;
  const offset = tf.zeros([8]) as tf.Tensor1D;
  const f = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(batchNormTraining(a, b, c, 1e-3).y.square()));
  const run = () => tf.dispose(f([x, scale, offset]));
  run();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) run();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([x, scale, offset]);
});

test("a WaveMix model in training runs the kernels on wasm; its moving statistics equal the cpu backend's", async () => {
  const config = {
    task: 'classification',
    numClasses: 3,
    depth: 1,
    mult: 2,
    ffChannel: 8,
    finalDim: 8,
    dropout: 0,
    level: 1,
    initialConv: 'strided',
    stride: 1,
    inputSize: [8, 8],
  } as const;
  await tf.setBackend('cpu');
  const model = createModel(config);
  const initial = model.getWeights().map((w) => w.clone());
  const x = tf.tensor(randomValues(2 * 8 * 8 * 3, 9), [2, 8, 8, 3]);
  const movingStatistics = async (backend: string) => {
    await tf.setBackend(backend);
    model.setWeights(initial);
    const profile = await tf.profile(() => tf.dispose(model.apply(x, { training: true }) as tf.Tensor));
    const kernels = new Set(profile.kernels.map((k) => k.name));
    const moving = model.weights.filter((w) => /moving/.test(w.name));
    const values = await Promise.all(moving.map((w) => w.read().data() as Promise<Float32Array>));
    return { kernels, values };
  };
  const cpu = await movingStatistics('cpu');
  const wasm = await movingStatistics('wasm');
  expect(wasm.kernels.has(BatchNormTraining)).toBe(true);
  expect(cpu.kernels.has(BatchNormTraining)).toBe(false);
  expect(wasm.values.length).toBeGreaterThanOrEqual(2);
  expect(wasm.values.length).toBe(cpu.values.length);
  wasm.values.forEach((v, i) => expectClose(v, cpu.values[i]!, 1e-5, 1e-6));
  // The update ran: a moving variance left its initial ones.
  expect(wasm.values.some((v) => v.some((value) => Math.abs(value - 1) > 1e-3))).toBe(true);
  tf.dispose([x, ...initial]);
  model.dispose();
});
