import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { Lion } from './lion';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The deterministic values the torch reference used: sin(a * i + b). */
const det = (n: number, a: number, b: number) => Array.from({ length: n }, (_, i) => Math.sin(a * i + b));

/**
 * Computed once with torch 1.13 (lion-pytorch's update written out, float64): p0 = sin(1.3 i + 0.2),
 * g = 3 sin(2.1 i + 0.5) (p - sin(0.7 i + 1.1))^3 + 0.1 p, lr 0.1, weight decay 0.5, betas 0.9/0.99.
 */
const TORCH_P = [
  [0.28873586, 0.84762024, 0.21823874, -0.67736326, -0.63412626, 0.48460742],
  [0.37429907, 0.70523923, 0.10732681, -0.54349509, -0.50241995, 0.56037705],
  [0.45558412, 0.56997726, 0.00196047, -0.41632034, -0.37729895, 0.6323582],
  [0.53280491, 0.6414784, -0.09813756, -0.29550432, -0.258434, 0.70074029],
];
const TORCH_M = [-0.00957164, 0.00172101, 0.01268143, -0.01452458, -0.00170815, -0.41300875];

function gradient(p: tf.Tensor): tf.Tensor {
  const target = tf.tensor2d(det(6, 0.7, 1.1), [2, 3]);
  const scale = tf.mul(tf.tensor2d(det(6, 2.1, 0.5), [2, 3]), 3);
  return tf.add(tf.mul(scale, tf.pow(tf.sub(p, target), 3)), tf.mul(p, 0.1));
}

describe('Lion', () => {
  it('matches lion-pytorch step by step (parameters and momentum)', async () => {
    const p = tf.variable(tf.tensor2d(det(6, 1.3, 0.2), [2, 3]), true, 'lion_test_p');
    const optimizer = new Lion({ learningRate: 0.1, weightDecay: 0.5 });
    const before = tf.memory().numTensors;
    for (const expected of TORCH_P) {
      const g = tf.tidy(() => gradient(p));
      optimizer.applyGradients({ [p.name]: g });
      g.dispose();
      Array.from(await p.data()).forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(2e-6));
    }
    expect(tf.memory().numTensors).toBe(before + 1); // the one momentum slot
    const [m] = await optimizer.getWeights();
    expect(m!.name).toBe('lion_test_p/m');
    Array.from(await m!.tensor.data()).forEach((v, i) => expect(Math.abs(v - TORCH_M[i]!)).toBeLessThan(2e-6));
    optimizer.dispose();
    p.dispose();
  });

  it('resumes from its weights exactly and round-trips its config', async () => {
    const run = async (resume: boolean) => {
      const p = tf.variable(tf.tensor2d(det(6, 1.3, 0.2), [2, 3]), true);
      let optimizer = new Lion({ learningRate: 0.1, weightDecay: 0.5 });
      for (let step = 0; step < 4; step++) {
        if (resume && step === 2) {
          const saved = (await optimizer.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
          optimizer.dispose();
          optimizer = new Lion(optimizer.getConfig() as never);
          await optimizer.setWeights(saved);
          tf.dispose(saved.map((s) => s.tensor));
        }
        const g = tf.tidy(() => gradient(p));
        optimizer.applyGradients({ [p.name]: g });
        g.dispose();
      }
      const values = Array.from(await p.data());
      optimizer.dispose();
      p.dispose();
      return values;
    };
    expect(await run(true)).toEqual(await run(false));
    expect(new Lion({ learningRate: 1e-4, weightDecay: 1e-2 }).getConfig()).toEqual({
      learningRate: 1e-4,
      beta1: 0.9,
      beta2: 0.99,
      weightDecay: 1e-2,
    });
    expect(() => new Lion({ learningRate: -1 })).toThrow(/learningRate must be a finite number >= 0, got -1/);
    expect(() => new Lion({ learningRate: 1, beta2: 1 })).toThrow(/betas must be below 1/);
  });
});
