import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { WaveMixArgumentError } from '@wavemix/core';
import { ConfusionMatrix } from './index';
import { classificationCase, segmentationCase } from './testdata/generate';
import { REFERENCE } from './testdata/reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectIoU(actual: number[], expected: ReadonlyArray<number | null>): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    if (expected[i] === null) expect(v).toBeNaN();
    else expect(v).toBeCloseTo(expected[i]!, 12);
  });
}

describe('classification confusion matrix against scikit-learn', () => {
  const { labels, pred, c } = classificationCase();
  test('matrix, accuracy and per-class accuracy', () => {
    const cm = new ConfusionMatrix(c).update(pred, labels);
    expect(cm.matrix()).toEqual(REFERENCE.classification.matrix);
    expect(cm.accuracy()).toBeCloseTo(REFERENCE.classification.accuracy, 12);
    expect(cm.meanClassAccuracy()).toBeCloseTo(REFERENCE.classification.balancedAccuracy, 12);
    const m = REFERENCE.classification.matrix;
    cm.perClassAccuracy().forEach((v, k) => expect(v).toBeCloseTo(m[k]![k]! / m[k]!.reduce((a, b) => a + b, 0), 12));
  });

  test('updateFromLogits takes the argmax', () => {
    const { logits, n } = classificationCase();
    const x = tf.tensor2d(Float32Array.from(logits), [n, c]);
    const before = tf.memory().numTensors;
    const cm = new ConfusionMatrix(c).updateFromLogits(x, labels);
    expect(tf.memory().numTensors).toBe(before);
    expect(cm.accuracy()).toBeCloseTo(REFERENCE.classification.argmaxAccuracy, 12);
    x.dispose();
  });
});

describe('segmentation confusion matrix against scikit-learn', () => {
  const { pred, target, shape, c } = segmentationCase();
  const ref = REFERENCE.segmentation;

  test('typed arrays: matrix, IoU with an empty class, ignore index, pixel accuracy', () => {
    const cm = new ConfusionMatrix(c, { ignoreIndex: 255 }).update(pred, target);
    expect(cm.matrix()).toEqual(ref.matrix);
    expect(cm.total()).toBe(ref.counted);
    expectIoU(cm.perClassIoU(), ref.perClassIoU);
    expect(cm.meanIoU()).toBeCloseTo(ref.meanIoU, 12);
    expect(cm.pixelAccuracy()).toBeCloseTo(ref.pixelAccuracy, 12);
    // The absent class is left out of the mean: counting it as 0 would give 5/6 of the value.
    expect(cm.meanIoU()).not.toBeCloseTo((ref.meanIoU * 5) / 6, 3);
  });

  test('tensors streamed image by image give the same matrix, with no leaks', () => {
    const cm = new ConfusionMatrix(c, { ignoreIndex: 255 });
    const [n, h, w] = shape;
    const before = tf.memory().numTensors;
    for (let i = 0; i < n; i++) {
      const p = tf.tensor3d(pred.subarray(i * h * w, (i + 1) * h * w), [1, h, w], 'int32');
      const t = tf.tensor3d(target.subarray(i * h * w, (i + 1) * h * w), [1, h, w], 'int32');
      cm.update(p, t);
      tf.dispose([p, t]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(cm.matrix()).toEqual(ref.matrix);
    expect(cm.meanIoU()).toBeCloseTo(ref.meanIoU, 12);
  });

  test('merge adds counts; reset clears them', () => {
    const half = target.length / 2;
    const a = new ConfusionMatrix(c, { ignoreIndex: 255 }).update(pred.subarray(0, half), target.subarray(0, half));
    const b = new ConfusionMatrix(c, { ignoreIndex: 255 }).update(pred.subarray(half), target.subarray(half));
    expect(a.merge(b).matrix()).toEqual(ref.matrix);
    a.reset();
    expect(a.total()).toBe(0);
    expect(a.meanIoU()).toBeNaN();
    expect(a.pixelAccuracy()).toBeNaN();
  });
});

test('hand-derived IoU', () => {
  // target [0, 0, 1, 1, 2, 255], pred [0, 1, 1, 1, 0, 2]:
  // class 0: TP 1, FP 1 (pixel 4), FN 1 (pixel 1) -> 1/3; class 1: TP 2, FP 1, FN 0 -> 2/3;
  // class 2: TP 0, FP 0, FN 1 -> 0; class 3 absent -> left out. mIoU = (1/3 + 2/3 + 0) / 3.
  const cm = new ConfusionMatrix(4, { ignoreIndex: 255 }).update([0, 1, 1, 1, 0, 2], [0, 0, 1, 1, 2, 255]);
  expectIoU(cm.perClassIoU(), [1 / 3, 2 / 3, 0, null]);
  expect(cm.meanIoU()).toBeCloseTo(1 / 3, 12);
  expect(cm.pixelAccuracy()).toBeCloseTo(3 / 5, 12);
  expect(cm.perClassAccuracy()[3]).toBeNaN();
});

test('bad values are typed errors naming the argument', () => {
  const cm = new ConfusionMatrix(3, { ignoreIndex: 255 });
  expect(() => cm.update([0, 1], [0, 3])).toThrow(WaveMixArgumentError);
  expect(() => cm.update([0, 1], [0, 3])).toThrow(/target\[1\] = 3/);
  expect(() => cm.update([0, 5], [0, 1])).toThrow(/pred\[1\] = 5/);
  expect(() => cm.update([0, 1], [0, 1, 2])).toThrow(/elements/);
  const p = tf.tensor1d([0, 1, 2], 'int32');
  const t = tf.tensor1d([0, 7, 255], 'int32');
  expect(() => cm.update(p, t)).toThrow(/target/);
  expect(() => cm.update(tf.tensor1d([0, 1.5, 2]), tf.tensor1d([0, 1, 2], 'int32'))).toThrow(/pred/);
  expect(() => new ConfusionMatrix(3, { ignoreIndex: 1 })).toThrow(/ignoreIndex/);
  expect(cm.total()).toBe(0); // failed updates add nothing
  tf.dispose([p, t]);
});
