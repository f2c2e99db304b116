import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { correctCount, focalLoss, segmentationLoss } from '@wavemix/models/training';
import { createModel } from '@wavemix/models';
import { DataParallel, DataParallelError } from './index';
import { buildTestWorker } from './testing/worker_script';

/**
 * Data-parallel segmentation with an ignore index: shards hold different numbers of labelled
 * pixels, so the batch loss is the shard means weighted by labelled pixels (not by shard size).
 * With no batch norm and no dropout the result must equal the single-thread step over the whole
 * batch, which is how the trainer computes it without workers.
 */
let workerScript: string;

beforeAll(async () => {
  workerScript = buildTestWorker();
  await useWasmTraining();
});

/** Per-pixel logits from stock layers only (no custom classes, no batch norm). */
function pixelClassifier(): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [6, 6, 3],
      filters: 5,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(
    tf.layers.conv2d({ filters: 4, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  );
  return model;
}

/** Labels in 0..3; images 0-1 (the main thread's shard) mostly void (255), images 2-3 rarely. */
function labels(voidShare: (image: number) => number): tf.Tensor3D {
  const values = new Int32Array(4 * 36);
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  for (let i = 0; i < values.length; i++) {
    const image = Math.floor(i / 36);
    values[i] = next() < voidShare(image) ? 255 : Math.floor(next() * 4);
  }
  return tf.tensor3d(values, [4, 6, 6], 'int32');
}

async function expectClose(actual: tf.Tensor, expected: tf.Tensor, tolerance: number) {
  const a = await actual.data();
  const e = await expected.data();
  let scale = 0;
  for (const v of e) scale = Math.max(scale, Math.abs(v));
  expect(scale).toBeGreaterThan(0);
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i]! - e[i]!)).toBeLessThanOrEqual(tolerance * scale);
}

test('segmentation loss, gradients and correct pixels on two threads equal the single-thread step', async () => {
  const model = pixelClassifier();
  const dp = await DataParallel.create(model, {
    workers: 1,
    workerScript,
    imports: [],
    loss: 'sparseSoftmaxCrossEntropy',
    ignoreIndex: 255,
  });
  const x = tf.randomUniform([4, 6, 6, 3], 0, 1, 'float32', 3);
  const y = labels((image) => (image < 2 ? 0.8 : 0.1));
  try {
    const expected = tf.tidy(() => {
      let correct: tf.Scalar | null = null;
      const result = tf.variableGrads(() => {
        const output = model.apply(x, { training: true }) as tf.Tensor;
        correct = tf.keep(correctCount(output, y, 255));
        return segmentationLoss(output, y, 255);
      });
      return { ...result, correct: correct! };
    });
    const actual = await dp.valueAndGrads(x, y);
    const labelled = Array.from(await y.data()).filter((v) => v !== 255).length;
    expect(actual.count).toBe(labelled);
    expect(actual.correct).toBe((await expected.correct.data())[0]);
    const loss = (await actual.value.data())[0]!;
    expect(loss).toBeCloseTo((await expected.value.data())[0]!, 5);
    for (const name of Object.keys(expected.grads)) await expectClose(actual.grads[name]!, expected.grads[name]!, 1e-5);

    // The test can tell: weighting the two shard means by shard size gives another loss.
    const bySize = tf.tidy(() => {
      const half = (from: number) =>
        segmentationLoss(model.apply(x.slice(from, 2), { training: true }) as tf.Tensor, y.slice(from, 2), 255);
      return tf.mul(tf.add(half(0), half(2)), 0.5).dataSync()[0]!;
    });
    expect(Math.abs(bySize - loss)).toBeGreaterThan(0.01);

    const tensors = tf.memory().numTensors;
    const again = await dp.valueAndGrads(x, y);
    tf.dispose([again.value, again.grads]);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([actual.value, actual.grads, expected.value, expected.grads, expected.correct]);
  } finally {
    tf.dispose([x, y]);
    await dp.dispose();
    model.dispose();
  }
});

test('focal loss with an ignore index on two threads equals the single-thread step too', async () => {
  const model = pixelClassifier();
  const dp = await DataParallel.create(model, {
    workers: 1,
    workerScript,
    imports: [],
    loss: 'focal',
    ignoreIndex: 255,
  });
  const x = tf.randomUniform([4, 6, 6, 3], 0, 1, 'float32', 5);
  const y = labels((image) => (image < 2 ? 0.7 : 0.2));
  try {
    const expected = tf.tidy(() =>
      tf.variableGrads(() => focalLoss(model.apply(x, { training: true }) as tf.Tensor, y, { ignoreIndex: 255 })),
    );
    const actual = await dp.valueAndGrads(x, y);
    expect(actual.count).toBe(Array.from(await y.data()).filter((v) => v !== 255).length);
    expect((await actual.value.data())[0]).toBeCloseTo((await expected.value.data())[0]!, 5);
    for (const name of Object.keys(expected.grads)) await expectClose(actual.grads[name]!, expected.grads[name]!, 1e-5);
    tf.dispose([actual.value, actual.grads, expected.value, expected.grads]);
  } finally {
    tf.dispose([x, y]);
    await dp.dispose();
    model.dispose();
  }
});

test('a batch with no labelled pixel gives loss 0 and zero gradients', async () => {
  const model = pixelClassifier();
  const dp = await DataParallel.create(model, {
    workers: 1,
    workerScript,
    imports: [],
    loss: 'sparseSoftmaxCrossEntropy',
    ignoreIndex: 255,
  });
  const x = tf.randomUniform([4, 6, 6, 3], 0, 1, 'float32', 4);
  const y = labels(() => 1);
  try {
    const { value, grads, count, correct } = await dp.valueAndGrads(x, y);
    expect(count).toBe(0);
    expect(correct).toBe(0);
    expect(Math.abs((await value.data())[0]!)).toBe(0);
    for (const g of Object.values(grads)) expect(Math.max(...Array.from(await g.data()).map(Math.abs))).toBe(0);
    tf.dispose([value, grads]);
  } finally {
    tf.dispose([x, y]);
    await dp.dispose();
    model.dispose();
  }
});

test('ignoreIndex needs the sparse cross-entropy', async () => {
  const model = pixelClassifier();
  await expect(DataParallel.create(model, { workers: 0, loss: 'meanSquaredError', ignoreIndex: 255 })).rejects.toThrow(
    DataParallelError,
  );
  model.dispose();
});

test('custom layers come from `imports`: without them the worker names the class and the option', async () => {
  const model = createModel('fashion-mnist-wavemix-lite-8-5', { overrides: { dropout: 0, inputSize: [8, 8] } });
  try {
    await expect(DataParallel.create(model, { workers: 1, workerScript, imports: [] })).rejects.toThrow(
      /Unknown layer: \w+ in the worker \(imports: none\); pass the module that registers it in DataParallel\.create/,
    );
  } finally {
    model.dispose();
  }
});
