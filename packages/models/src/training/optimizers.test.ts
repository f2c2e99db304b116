import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, SgdMomentum } from './optimizers';

// Reference: torch 1.13, float64, p0 = [1, -2, 0.5], these three gradients:
//   torch.optim.AdamW(lr=0.01, weight_decay=0.1) and torch.optim.SGD(lr=0.05, momentum=0.9).
const GRADIENTS = [
  [0.5, -1.0, 0.25],
  [0.1, 0.2, -0.3],
  [-0.4, 0.0, 1.5],
];
const TORCH_ADAMW = [0.9780636160449829, -1.974970591338918, 0.4840453695906945];
const TORCH_SGD = [0.94275, -1.8835, 0.41962499999999997];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function train(optimizer: tf.Optimizer, gradients: number[][], p: tf.Variable): void {
  for (const g of gradients) {
    const grad = tf.tensor1d(g);
    optimizer.applyGradients({ [p.name]: grad });
    grad.dispose();
  }
}

test.each([
  ['AdamW', () => new AdamW({ learningRate: 0.01, weightDecay: 0.1 }), TORCH_ADAMW],
  ['SgdMomentum', () => new SgdMomentum({ learningRate: 0.05, momentum: 0.9 }), TORCH_SGD],
])('%s matches PyTorch over three steps', (_, make, expected) => {
  const p = tf.variable(tf.tensor1d([1, -2, 0.5]));
  const optimizer = make();
  train(optimizer, GRADIENTS, p);
  const got = p.dataSync();
  expected.forEach((value, i) => expect(got[i]).toBeCloseTo(value, 6));
  optimizer.dispose();
  p.dispose();
});

test.each([
  ['AdamW', () => new AdamW({ learningRate: 0.01, weightDecay: 0.1 })],
  ['SgdMomentum', () => new SgdMomentum({ learningRate: 0.05 })],
])('%s state round-trips through getWeights/setWeights (a resumed run continues identically)', async (_, make) => {
  const a = tf.variable(tf.tensor1d([1, -2, 0.5]));
  const first = make();
  train(first, GRADIENTS.slice(0, 2), a);
  const saved = (await first.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
  const resumed = make();
  await resumed.setWeights(saved);
  const b = tf.variable(a.clone(), true, `${a.name}-copy`);
  // The resumed optimizer must know its slots belong to `b`: rename them as a checkpoint restore does.
  const renamed = (await resumed.getWeights()).map(({ name, tensor }) => ({
    name: name.replace(a.name, b.name),
    tensor: tensor.clone(),
  }));
  await resumed.setWeights(renamed);
  train(first, GRADIENTS.slice(2), a);
  train(resumed, GRADIENTS.slice(2), b);
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  tf.dispose([a, b, ...saved.map((s) => s.tensor), ...renamed.map((s) => s.tensor)]);
  first.dispose();
  resumed.dispose();
});

test('no tensor growth over repeated steps', () => {
  const p = tf.variable(tf.randomNormal([4, 4]));
  const optimizer = new AdamW({ learningRate: 1e-3 });
  const step = () => {
    const grad = tf.randomNormal([4, 4]);
    optimizer.applyGradients({ [p.name]: grad });
    grad.dispose();
  };
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) step();
  expect(tf.memory().numTensors).toBe(before);
  optimizer.dispose();
  p.dispose();
});

test('disposing an optimizer releases every tensor it created', () => {
  const p = tf.variable(tf.randomNormal([3, 3]));
  const before = tf.memory().numTensors;
  for (const optimizer of [new AdamW({ learningRate: 1e-3 }), new SgdMomentum({ learningRate: 1e-3 })]) {
    const grad = tf.randomNormal([3, 3]);
    optimizer.applyGradients({ [p.name]: grad });
    optimizer.applyGradients({ [p.name]: grad });
    grad.dispose();
    optimizer.dispose();
  }
  expect(tf.memory().numTensors).toBe(before);
  p.dispose();
});
