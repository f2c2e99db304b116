import * as tf from '@tensorflow/tfjs';
import { computeLoss, countCorrect, lossWeight } from './losses';

// Expected values by hand (python3 math): -mean over the counted targets of log softmax(logits)[label].

test('sparse cross-entropy with an ignore index averages over the labelled pixels only', async () => {
  // One image of 1x3 pixels, 2 classes; the middle pixel is void (255).
  const logits = tf.tensor4d([0, 1, 2, 0, 1, 1], [1, 1, 3, 2]);
  const labels = tf.tensor3d([1, 255, 0], [1, 1, 3], 'int32');
  const loss = computeLoss('sparseSoftmaxCrossEntropy', logits, labels, { ignoreIndex: 255 });
  // -(log_softmax([0, 1])[1] + log_softmax([1, 1])[0]) / 2
  expect((await loss.data())[0]).toBeCloseTo(0.503204434039084, 6);
  expect(await lossWeight('sparseSoftmaxCrossEntropy', labels, { ignoreIndex: 255 })).toBe(2);
  // argmax: [1, 0, 0] (ties pick the first class): pixel 0 right, pixel 1 void, pixel 2 right.
  const correct = countCorrect('sparseSoftmaxCrossEntropy', logits, labels, { ignoreIndex: 255 })!;
  expect((await correct.data())[0]).toBe(2);
  tf.dispose([logits, labels, loss, correct]);
});

test('a batch with no labelled pixel has loss 0 and weight 0', async () => {
  const logits = tf.tensor4d([3, -1, 0.5, 2], [1, 1, 2, 2]);
  const labels = tf.tensor3d([255, 255], [1, 1, 2], 'int32');
  const loss = computeLoss('sparseSoftmaxCrossEntropy', logits, labels, { ignoreIndex: 255 });
  expect((await loss.data())[0]).toBeCloseTo(0, 12);
  expect(await lossWeight('sparseSoftmaxCrossEntropy', labels, { ignoreIndex: 255 })).toBe(0);
  tf.dispose([logits, labels, loss]);
});

test('sparse and one-hot cross-entropy agree with the hand value; weight is the batch size', async () => {
  const logits = tf.tensor2d([2, 0, -1, 0.5, 0.5, 3], [2, 3]);
  const labels = tf.tensor1d([0, 1], 'int32');
  const sparse = computeLoss('sparseSoftmaxCrossEntropy', logits, labels);
  const oneHot = computeLoss('softmaxCrossEntropy', logits, tf.oneHot(labels, 3));
  expect((await sparse.data())[0]).toBeCloseTo(1.4109272019737105, 6);
  expect((await oneHot.data())[0]).toBeCloseTo(1.4109272019737105, 6);
  expect(await lossWeight('sparseSoftmaxCrossEntropy', labels)).toBe(2);
  const correct = countCorrect('sparseSoftmaxCrossEntropy', logits, labels)!;
  expect((await correct.data())[0]).toBe(1);
  tf.dispose([logits, labels, sparse, oneHot, correct]);
});

test('regression losses: L1 and L2 means; no correct count', async () => {
  const prediction = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const target = tf.tensor2d([0, 2, 5, 3], [2, 2]);
  const l1 = computeLoss('meanAbsoluteError', prediction, target);
  const l2 = computeLoss('meanSquaredError', prediction, target);
  expect((await l1.data())[0]).toBeCloseTo((1 + 0 + 2 + 1) / 4, 6);
  expect((await l2.data())[0]).toBeCloseTo((1 + 0 + 4 + 1) / 4, 6);
  expect(countCorrect('meanAbsoluteError', prediction, target)).toBeNull();
  tf.dispose([prediction, target, l1, l2]);
});

test('no tensor leaks inside tidy', () => {
  const logits = tf.randomNormal([2, 4, 4, 3]);
  const labels = tf.randomUniform([2, 4, 4], 0, 3, 'int32');
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++)
    tf.tidy(() => computeLoss('sparseSoftmaxCrossEntropy', logits, labels, { ignoreIndex: 2 })).dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([logits, labels]);
});
