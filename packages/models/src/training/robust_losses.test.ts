import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { focalLoss, huberLoss } from './robust_losses';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const det = (n: number, a: number, b: number, scale = 1) =>
  Array.from({ length: n }, (_, i) => scale * Math.sin(a * i + b));
const close = (actual: ArrayLike<number>, expected: number[], tolerance: number) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect([i, Math.abs(actual[i]! - v) < tolerance]).toEqual([i, true]));
};

/**
 * Computed once with torch 1.13 (float64): logits NHWC [1, 2, 3, 4] = 2.5 sin(0.9 i + 0.3), targets
 * [[0, 3, 255], [1, 2, 3]]; ce = F.cross_entropy(logits NCHW, targets, reduction='none',
 * ignore_index=255), loss = ((1 - exp(-ce))^gamma * ce)[targets != 255].mean(), and d loss / d logits.
 */
const FOCAL = { gamma2: 2.0063494338, gamma0: 2.3093137721, gamma5: 1.7646174536 };
const FOCAL_GRAD = [
  -0.22186374, 0.11203205, 0.09432165, 0.01551004, 0.00135687, 0.00062762, 0.00191148, -0.00389597, 0, 0, 0, 0,
  0.00140386, -0.21820623, 0.03825584, 0.17854653, 0.18561533, 0.02933242, -0.21682098, 0.00187322, 0.00213553,
  0.01859276, 0.08454603, -0.10527431,
];

/**
 * torch 1.13 (float64): prediction NHWC [2, 2, 3, 3] = 2 sin(1.7 i + 0.1), target 0.5 sin(0.4 i + 2);
 * nn.HuberLoss()(pred[..., 0], target[..., 0]) and its gradient; HuberLoss(delta=0.5).
 */
const HUBER = { delta1: 0.6361502995, delta05: 0.4181608956 };
const HUBER_GRAD = [
  -0.02124849, 0, 0, -0.08333333, 0, 0, -0.08333333, 0, 0, 0.0768225, 0, 0, 0.08333333, 0, 0, 0.03385017, 0, 0,
  -0.08333333, 0, 0, -0.08333333, 0, 0, 0.02440773, 0, 0, 0.08333333, 0, 0, 0.08222013, 0, 0, -0.07720762, 0, 0,
];

describe('focalLoss', () => {
  const logits = () => tf.tensor4d(det(24, 0.9, 0.3, 2.5), [1, 2, 3, 4]);
  const targets = () => tf.tensor3d([0, 3, 255, 1, 2, 3], [1, 2, 3], 'int32');

  it('matches torch for gamma 2, 0 (= cross-entropy) and 5, ignoring label 255, with the same gradient', async () => {
    const x = logits();
    const t = targets();
    for (const [gamma, expected] of [
      [2, FOCAL.gamma2],
      [0, FOCAL.gamma0],
      [5, FOCAL.gamma5],
    ] as const) {
      const loss = focalLoss(x, t, { gamma, ignoreIndex: 255 });
      expect(Math.abs((await loss.data())[0]! - expected)).toBeLessThan(1e-5);
      loss.dispose();
    }
    const grad = tf.grad((l: tf.Tensor) => focalLoss(l, t, { ignoreIndex: 255 }))(x);
    close(await grad.data(), FOCAL_GRAD, 1e-5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) focalLoss(x, t, { ignoreIndex: 255 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t, grad]);
  });

  it('is 0 when every pixel is ignored and refuses mismatched shapes', async () => {
    const x = logits();
    const none = tf.fill([1, 2, 3], 255, 'int32');
    const loss = focalLoss(x, none, { ignoreIndex: 255 });
    expect((await loss.data())[0]).toBe(0);
    const wrong = tf.zeros([1, 3, 2], 'int32');
    expect(() => focalLoss(x, wrong)).toThrow(/targets: shape \[1, 3, 2\] does not match logits \[1, 2, 3, 4\]/);
    expect(() => focalLoss(x, none, { gamma: -1 })).toThrow(/gamma: must be a number >= 0/);
    tf.dispose([x, none, loss, wrong]);
  });
});

describe('huberLoss', () => {
  const prediction = () => tf.tensor4d(det(36, 1.7, 0.1, 2), [2, 2, 3, 3]);
  const target = () => tf.tensor4d(det(36, 0.4, 2, 0.5), [2, 2, 3, 3]);

  it('matches torch HuberLoss on the Y channel (delta 1 and 0.5), gradient only through Y', async () => {
    const p = prediction();
    const t = target();
    const loss = huberLoss(p, t);
    expect(Math.abs((await loss.data())[0]! - HUBER.delta1)).toBeLessThan(1e-6);
    const half = huberLoss(p, t, { delta: 0.5 });
    expect(Math.abs((await half.data())[0]! - HUBER.delta05)).toBeLessThan(1e-6);
    const grad = tf.grad((x: tf.Tensor) => huberLoss(x, t))(p);
    close(await grad.data(), HUBER_GRAD, 1e-6);
    tf.dispose([p, t, loss, half, grad]);
  });

  it('refuses bad arguments, naming them', () => {
    const p = prediction();
    const t = target();
    expect(() => huberLoss(p, t, { channel: 3 })).toThrow(/channel: must index the last axis \(size 3\), got 3/);
    expect(() => huberLoss(p, t, { delta: 0 })).toThrow(/delta: must be > 0/);
    const wrong = tf.zeros([2, 2, 3, 1]);
    expect(() => huberLoss(p, wrong)).toThrow(/target: shape \[2, 2, 3, 1\] does not match/);
    tf.dispose([p, t, wrong]);
  });
});
