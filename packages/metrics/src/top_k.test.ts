import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { WaveMixArgumentError } from '@wavemix/core';
import { TopKAccuracy, topKAccuracy } from './index';
import { classificationCase } from './testdata/generate';
import { REFERENCE } from './testdata/reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('topKAccuracy against scikit-learn top_k_accuracy_score', () => {
  const { logits, labels, n, c } = classificationCase();
  for (const k of [1, 2, 3, 5] as const) {
    test(`k = ${k}, typed arrays and tensors`, () => {
      expect(topKAccuracy(logits, labels, k)).toBeCloseTo(REFERENCE.topK[k], 12);
      const x = tf.tensor2d(Float32Array.from(logits), [n, c]);
      const y = tf.tensor1d(labels, 'int32');
      expect(topKAccuracy(x, y, k)).toBeCloseTo(REFERENCE.topK[k], 12);
      tf.dispose([x, y]);
    });
  }

  test('tensor path on the wasm backend (whose batched GatherV2 is wrong in tfjs 4.22)', async () => {
    await tf.setBackend('wasm');
    try {
      const x = tf.tensor2d(Float32Array.from(logits), [n, c]);
      const y = tf.tensor1d(labels, 'int32');
      for (const k of [1, 3] as const) expect(topKAccuracy(x, y, k)).toBeCloseTo(REFERENCE.topK[k], 12);
      tf.dispose([x, y]);
    } finally {
      await tf.setBackend('cpu');
    }
  });

  test('streaming over uneven batches equals the one-shot value, without leaking tensors', () => {
    const metric = new TopKAccuracy(3);
    const before = tf.memory().numTensors;
    for (const [start, end] of [
      [0, 17],
      [17, 120],
      [120, 200],
    ] as const) {
      const x = tf.tensor2d(Float32Array.from(logits.subarray(start * c, end * c)), [end - start, c]);
      const y = tf.tensor1d(labels.subarray(start, end), 'int32');
      metric.update(x, y);
      tf.dispose([x, y]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(metric.count).toBe(200);
    expect(metric.result()).toBeCloseTo(REFERENCE.topK[3], 12);
  });
});

describe('ties (hand-derived)', () => {
  // Row 0: classes 0..3 = [1, 2, 2, 0], label 2. One class (none) is greater; class 1 ties.
  // Row 1: [5, 5, 5, 5], label 3: three ties, all with a lower index.
  // Row 2: [0, 3, 3, 1], label 1: class 2 ties but has a higher index.
  const logits = new Float32Array([1, 2, 2, 0, 5, 5, 5, 5, 0, 3, 3, 1]);
  const labels = new Int32Array([2, 3, 1]);
  const cases: Array<[string, number, number]> = [
    // [rule, k, expected]
    ['index', 1, 1 / 3], // row 2 only: class 1 beats class 2 on index
    ['index', 2, 2 / 3], // rows 0 (rank 1) and 2 (rank 0); row 1 has rank 3
    ['index', 4, 1],
    ['optimistic', 1, 1], // no class is strictly greater in any row
    ['pessimistic', 1, 0],
    ['pessimistic', 2, 2 / 3], // rows 0 and 2 have rank 1; row 1 has rank 3
    ['pessimistic', 3, 2 / 3],
    ['pessimistic', 4, 1],
  ];
  for (const [ties, k, expected] of cases) {
    test(`${ties}, k = ${k}`, () => {
      const rule = ties as 'index' | 'optimistic' | 'pessimistic';
      expect(topKAccuracy(logits, labels, k, { ties: rule })).toBeCloseTo(expected, 12);
      const x = tf.tensor2d(logits, [3, 4]);
      expect(topKAccuracy(x, labels, k, { ties: rule })).toBeCloseTo(expected, 12);
      x.dispose();
    });
  }

  test("top-1 with 'index' ties equals argMax accuracy", () => {
    const x = tf.tensor2d(logits, [3, 4]);
    const argmax = Array.from(tf.argMax(x, 1).dataSync());
    const expected = argmax.filter((p, i) => p === labels[i]).length / 3;
    expect(topKAccuracy(x, labels, 1)).toBeCloseTo(expected, 12);
    x.dispose();
  });

  test('NaN logits rank below every number', () => {
    const x = new Float32Array([NaN, 0, -1, NaN]);
    // Row 0: label 1 (0) beats NaN; row 1: label 0 (-1) beats NaN.
    expect(topKAccuracy(x, [1, 0], 1)).toBe(1);
    const t = tf.tensor2d(x, [2, 2]);
    expect(topKAccuracy(t, [1, 0], 1)).toBe(1);
    // A NaN true logit is never top-1 against a number, under any tie rule.
    expect(topKAccuracy(x, [0, 1], 1, { ties: 'optimistic' })).toBe(0);
    expect(topKAccuracy(t, [0, 1], 1, { ties: 'optimistic' })).toBe(0);
    t.dispose();
  });
});

test('bad labels and shapes are typed errors', () => {
  expect(() => topKAccuracy(new Float32Array(6), [0, 3], 1)).toThrow(WaveMixArgumentError);
  expect(() => topKAccuracy(new Float32Array(6), [0, 1.5], 1)).toThrow(/labels\[1\]/);
  expect(() => topKAccuracy(new Float32Array(7), [0, 1], 1)).toThrow(/multiple/);
  expect(() => new TopKAccuracy(0)).toThrow(/k/);
  const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  expect(() => topKAccuracy(x, tf.tensor1d([0, 2], 'int32'), 1)).toThrow(/\[0, 2\)/);
  expect(() => topKAccuracy(x, [0, 1, 1], 1)).toThrow(/shape/);
  x.dispose();
  expect(new TopKAccuracy(1).result()).toBeNaN();
});
