import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { createModel } from '@wavemix/models';
import { DataParallel, shardSizes } from './index';
import { buildTestLayers, buildTestWorker } from './testing/worker_script';

/**
 * One worker beside the main thread: batch gradients and predictions equal a single-thread
 * computation over the whole batch (no dropout; batch-norm in inference mode or on equal shards
 * where it matters), weights stay in step after updates, and nothing leaks.
 */
let workerScript: string;
/** The WaveMix layers for the workers' `imports` (from source; the default loads dist/). */
let imports: string[];

async function expectClose(actual: tf.Tensor, expected: tf.Tensor, tolerance: number) {
  const a = await actual.data();
  const e = await expected.data();
  expect(a.length).toBe(e.length);
  let scale = 0;
  for (const v of e) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i]! - e[i]!)).toBeLessThanOrEqual(tolerance * (1 + scale));
}

beforeAll(async () => {
  workerScript = buildTestWorker();
  imports = [buildTestLayers()];
  await useWasmTraining();
});

const model = () => createModel('fashion-mnist-wavemix-lite-8-5', { overrides: { dropout: 0, inputSize: [8, 8] } });

function data(batch: number, seed: number) {
  return tf.tidy(() => ({
    x: tf.randomUniform([batch, 8, 8, 1], 0, 1, 'float32', seed),
    y: tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', seed + 1), 10),
  }));
}

test('shardSizes splits evenly, larger shards first', () => {
  expect(shardSizes(7, 2)).toEqual([4, 3]);
  expect(shardSizes(64, 2)).toEqual([32, 32]);
  expect(shardSizes(5, 3)).toEqual([2, 2, 1]);
});

test('predictions on two threads equal the single-thread ones', async () => {
  const m = model();
  const dp = await DataParallel.create(m, { workers: 1, workerScript, imports });
  try {
    const { x, y } = data(6, 3);
    const expected = tf.tidy(() => m.apply(x, { training: false }) as tf.Tensor);
    const actual = await dp.predict(x);
    expect(actual.shape).toEqual([6, 10]);
    await expectClose(actual, expected, 1e-5);
    tf.dispose([x, y, expected, actual]);
  } finally {
    await dp.dispose();
    m.dispose();
  }
});

test('gradients on two threads are the weighted shard gradients, and replicas follow weight updates', async () => {
  const m = model();
  const dp = await DataParallel.create(m, { workers: 1, workerScript, imports });
  const optimizer = tf.train.sgd(0.1);
  try {
    const { x, y } = data(8, 5);
    for (let step = 0; step < 3; step++) {
      // Reference: the same shards on the main thread, weighted by size (batch norm is per shard).
      const expected = tf.tidy(() => {
        const shard = (from: number, size: number) =>
          tf.variableGrads(
            () =>
              tf.losses.softmaxCrossEntropy(
                y.slice(from, size),
                m.apply(x.slice(from, size), { training: true }) as tf.Tensor,
              ) as tf.Scalar,
          );
        const a = shard(0, 4);
        const b = shard(4, 4);
        const grads: tf.NamedTensorMap = {};
        for (const name of Object.keys(a.grads)) grads[name] = tf.mul(tf.add(a.grads[name]!, b.grads[name]!), 0.5);
        return { value: tf.mul(tf.add(a.value, b.value), 0.5), grads };
      });
      const actual = await dp.valueAndGrads(x, y);
      // Per shard, like the gradients (batch norm sees each shard alone).
      const expectedCorrect = tf.tidy(() =>
        [0, 4].reduce((n, from) => {
          const out = m.apply(x.slice(from, 4), { training: true }) as tf.Tensor;
          return (
            n + tf.sum(tf.cast(tf.equal(tf.argMax(out, -1), tf.argMax(y.slice(from, 4), -1)), 'int32')).dataSync()[0]!
          );
        }, 0),
      );
      expect(actual.correct).toBe(expectedCorrect);
      expect(Object.keys(actual.grads).sort()).toEqual(Object.keys(expected.grads).sort());
      expect((await actual.value.data())[0]).toBeCloseTo((await expected.value.data())[0]!, 5);
      for (const name of Object.keys(expected.grads)) {
        await expectClose(actual.grads[name]!, expected.grads[name]!, 1e-4);
      }
      optimizer.applyGradients(actual.grads);
      tf.dispose([actual.value, actual.grads, expected.value, expected.grads]);
    }
    const tensors = tf.memory().numTensors;
    const again = await dp.valueAndGrads(x, y);
    tf.dispose([again.value, again.grads]);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, y]);
  } finally {
    await dp.dispose();
    optimizer.dispose();
    m.dispose();
  }
});

test('errors reach the caller, from the main thread and from a worker', async () => {
  const m = model();
  const dp = await DataParallel.create(m, { workers: 1, workerScript, imports });
  try {
    const bad = tf.zeros([4, 8, 8, 2]);
    await expect(dp.predict(bad)).rejects.toThrow(/expected axis 3 of input shape to have value 1/);
    const y = tf.zeros([4, 10]);
    // Labels of the wrong width: only the worker's shard is checked after the main thread's fails.
    await expect(dp.valueAndGrads(tf.zeros([4, 8, 8, 1]), tf.zeros([4, 3]))).rejects.toThrow(/shape|match/i);
    tf.dispose([bad, y]);
  } finally {
    await dp.dispose();
    m.dispose();
  }
});

test('a regression loss (super-resolution) trains on two threads; correct is null', async () => {
  const m = createModel({ task: 'sisr', depth: 1, mult: 2, ffChannel: 8, finalDim: 8, level: 1, inputSize: [8, 8] });
  const dp = await DataParallel.create(m, { workers: 1, workerScript, imports, loss: 'meanSquaredError' });
  try {
    const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 7);
    const y = tf.randomUniform([4, 16, 16, 3], 0, 1, 'float32', 8);
    const { value, grads, correct } = await dp.valueAndGrads(x, y);
    expect(correct).toBeNull();
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    expect(Object.keys(grads).length).toBe(m.trainableWeights.length);
    tf.dispose([x, y, value, grads]);
  } finally {
    await dp.dispose();
    m.dispose();
  }
});

test('with dropout, a seeded Math.random on the main thread makes data-parallel steps reproducible', async () => {
  const m = createModel('fashion-mnist-wavemix-lite-8-5', { overrides: { dropout: 0.5, inputSize: [8, 8] } });
  const dp = await DataParallel.create(m, { workers: 1, workerScript, imports });
  const original = Math.random;
  const seeded = (seed: number) => {
    let state = seed;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296;
    };
  };
  const step = async (seed: number) => {
    Math.random = seeded(seed);
    const { x, y } = data(8, 11);
    const { value, grads } = await dp.valueAndGrads(x, y);
    const flat = Array.from(await grads[m.trainableWeights[0]!.name]!.data());
    tf.dispose([x, y, value, grads]);
    return flat;
  };
  try {
    const a = await step(1);
    const b = await step(1);
    const c = await step(2);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  } finally {
    Math.random = original;
    await dp.dispose();
    m.dispose();
  }
});
