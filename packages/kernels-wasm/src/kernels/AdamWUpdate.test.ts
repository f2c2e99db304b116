import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { AdamWUpdate } from '@wavemix/core';
import { AdamW } from '@wavemix/models/training';
import '../index';
import { randomValues, sizeOf } from '../testing/compare';

/** The fused wasm AdamW step against the float64 formula and, bit for bit, the 15-kernel composite. */

const hyper = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, learningRate: 3e-3, weightDecay: 0.01 };

beforeAll(async () => {
  await tf.setBackend('wasm');
});

test('one step equals the float64 formula within float32 rounding, and moves the parameter', async () => {
  const n = 1030;
  const step = 3;
  const [p, g, m] = [
    randomValues(n, 1),
    randomValues(n, 2).map((x) => x * 0.5),
    randomValues(n, 3).map((x) => x * 0.1),
  ];
  const v = randomValues(n, 4).map((x) => Math.abs(x) * 0.01);
  const attrs = { ...hyper, correction1: 1 - hyper.beta1 ** step, correction2: 1 - hyper.beta2 ** step };
  const inputs = { param: tf.tensor1d(p), gradient: tf.tensor1d(g), m: tf.tensor1d(m), v: tf.tensor1d(v) };
  const outputs = tf.engine().runKernel(AdamWUpdate, inputs, attrs) as tf.Tensor[];
  const [m1, v1, p1] = await Promise.all(outputs.map((t) => t.data()));
  let worst = { m: 0, v: 0, p: 0, moved: 0 };
  for (let i = 0; i < n; i++) {
    const em = hyper.beta1 * m[i]! + (1 - hyper.beta1) * g[i]!;
    const ev = hyper.beta2 * v[i]! + (1 - hyper.beta2) * g[i]! * g[i]!;
    const update = em / attrs.correction1 / (Math.sqrt(ev / attrs.correction2) + hyper.epsilon);
    const ep = p[i]! * (1 - hyper.learningRate * hyper.weightDecay) - hyper.learningRate * update;
    worst = {
      m: Math.max(worst.m, Math.abs(m1![i]! - em)),
      v: Math.max(worst.v, Math.abs(v1![i]! - ev)),
      p: Math.max(worst.p, Math.abs(p1![i]! - ep)),
      moved: Math.max(worst.moved, Math.abs(p1![i]! - p[i]!)),
    };
  }
  expect(worst.m).toBeLessThan(2e-7);
  expect(worst.v).toBeLessThan(2e-8);
  expect(worst.p).toBeLessThan(5e-7);
  expect(worst.moved).toBeGreaterThan(1e-3);
  tf.dispose([...Object.values(inputs), ...outputs]);
});

/** Three AdamW steps over variables of a small network's shapes; returns the final values. */
async function trainThreeSteps(): Promise<Float32Array[]> {
  const shapes = [[1, 1, 8, 2], [2], [3, 3, 4, 8], [8], [16, 10], [1, 7]];
  const variables = shapes.map((shape, i) =>
    tf.tidy(() => tf.variable(tf.tensor(randomValues(sizeOf(shape), 10 + i), shape))),
  );
  const optimizer = new AdamW({ ...hyper });
  for (let step = 0; step < 3; step++) {
    const grads: Record<string, tf.Tensor> = {};
    variables.forEach((variable, i) => {
      grads[variable.name] = tf.tensor(randomValues(variable.size, 100 * step + i), variable.shape);
    });
    optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const values = await Promise.all(variables.map((variable) => variable.data() as Promise<Float32Array>));
  optimizer.dispose();
  tf.dispose(variables);
  return values;
}

test('AdamW takes the kernel on wasm, and gives the composite bit for bit', async () => {
  const calls: string[] = [];
  const config = tf.getKernel(AdamWUpdate, 'wasm')!;
  expect(config).toBeDefined();
  tf.unregisterKernel(AdamWUpdate, 'wasm');
  tf.registerKernel({ ...config, kernelFunc: (args) => (calls.push(AdamWUpdate), config.kernelFunc(args)) });
  const before = tf.memory().numTensors;
  const fused = await trainThreeSteps();
  expect(tf.memory().numTensors).toBe(before);
  expect(calls).toHaveLength(3 * 6);
  tf.unregisterKernel(AdamWUpdate, 'wasm');
  try {
    const composite = await trainThreeSteps();
    fused.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(composite[i]!)));
  } finally {
    tf.registerKernel(config);
  }
});

test('a gradient of another shape or dtype is refused, naming it', () => {
  const attrs = { ...hyper, correction1: 0.1, correction2: 0.001 };
  const shaped = { param: tf.zeros([4, 4]), gradient: tf.zeros([16]), m: tf.zeros([4, 4]), v: tf.zeros([4, 4]) };
  expect(() => tf.engine().runKernel(AdamWUpdate, shaped, attrs)).toThrow(/gradient.*\[4, 4\].*float32 \[16\]/);
  const typed = { param: tf.zeros([3]), gradient: tf.zeros([3]), m: tf.zeros([3], 'int32'), v: tf.zeros([3]) };
  expect(() => tf.engine().runKernel(AdamWUpdate, typed, attrs)).toThrow(/m.*int32 \[3\]/);
  tf.dispose([...Object.values(shaped), ...Object.values(typed)]);
});
