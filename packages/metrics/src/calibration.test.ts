import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ExpectedCalibrationError, expectedCalibrationError } from './index';
import { calibrationCase } from './testdata/generate';
import { REFERENCE } from './testdata/reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function softmaxRows(logits: Float64Array, c: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / c; r++) {
    const row = logits.subarray(r * c, (r + 1) * c);
    const max = Math.max(...row);
    let sum = 0;
    for (let k = 0; k < c; k++) sum += Math.exp(row[k]! - max);
    for (let k = 0; k < c; k++) out[r * c + k] = Math.exp(row[k]! - max) / sum;
  }
  return out;
}

describe('ECE against an independent numpy implementation', () => {
  const { logits, labels, n, c } = calibrationCase();
  test('15 bins from probabilities and from logits', () => {
    expect(expectedCalibrationError(softmaxRows(logits, c), labels)).toBeCloseTo(REFERENCE.ece['15'], 12);
    expect(expectedCalibrationError(logits, labels, { input: 'logits' })).toBeCloseTo(REFERENCE.ece['15'], 12);
    expect(expectedCalibrationError(logits, labels, { input: 'logits', numBins: 10 })).toBeCloseTo(
      REFERENCE.ece['10'],
      12,
    );
  });

  test('tensor logits, streamed, with no leaks (float32 tolerance)', () => {
    const metric = new ExpectedCalibrationError({ input: 'logits' });
    const before = tf.memory().numTensors;
    for (let start = 0; start < n; start += 64) {
      const end = Math.min(n, start + 64);
      const x = tf.tensor2d(Float32Array.from(logits.subarray(start * c, end * c)), [end - start, c]);
      metric.update(x, labels.subarray(start, end));
      x.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(metric.result()).toBeCloseTo(REFERENCE.ece['15'], 6);
    expect(metric.bins().reduce((s, b) => s + b.count, 0)).toBe(n);
  });
});

test('hand-derived ECE', () => {
  // Confidences 0.9 (right), 0.9 (wrong), 0.6 (right), 0.55 (right), 15 bins:
  // bin (0.8667, 0.9333]: 2 samples, acc 0.5, conf 0.9 -> |0.5 - 0.9| = 0.4, weight 2/4
  // bin (0.5333, 0.6]: 0.6 and 0.55, acc 1, conf 0.575 -> 0.425, weight 2/4
  // ECE = 0.2 + 0.2125 = 0.4125.
  const probs = [0.9, 0.1, 0.1, 0.9, 0.6, 0.4, 0.45, 0.55];
  const labels = [0, 0, 0, 1];
  expect(expectedCalibrationError(probs, labels)).toBeCloseTo(0.4125, 12);
  const bins = new ExpectedCalibrationError().update(probs, labels).bins();
  expect(bins[13]).toMatchObject({ count: 2, accuracy: 0.5 });
  expect(bins[8]).toMatchObject({ count: 2, accuracy: 1 });
  // A perfectly calibrated, always-right, fully confident model has ECE 0; confidence 1 is in the last bin.
  expect(expectedCalibrationError([1, 0, 0, 1], [0, 1])).toBe(0);
  expect(new ExpectedCalibrationError().update([1, 0], [0]).bins()[14]!.count).toBe(1);
});

test('probabilities outside [0, 1] are rejected with a hint', () => {
  expect(() => expectedCalibrationError([2, -1], [0])).toThrow(/input: 'logits'/);
  expect(() => expectedCalibrationError([0.5, 0.5], [2])).toThrow(/labels\[0\]/);
});
