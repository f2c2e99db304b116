import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { seededDropoutImpl, WaveMixArgumentError } from '@wavemix/core';
import { WaveMixDropout } from './dropout_layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('WaveMixDropout', () => {
  test('the identity at inference; in training the seeded mask of a seed drawn from Math.random', async () => {
    const layer = new WaveMixDropout({ rate: 0.25 });
    const xs = Float32Array.from({ length: 24 }, (_, i) => i - 11.5);
    const x = tf.tensor4d(xs, [1, 2, 3, 4]);
    const inference = layer.apply(x) as tf.Tensor;
    expect(Array.from(await inference.data())).toEqual(Array.from(xs));
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const training = layer.apply(x, { training: true }) as tf.Tensor;
    random.mockRestore();
    const expected = new Float32Array(24);
    seededDropoutImpl(xs, 0.25, 2 ** 31, expected);
    expect(Array.from(await training.data())).toEqual(Array.from(expected));
    tf.dispose([x, inference, training]);
  });

  test('gradient: the same mask on dy (0 or 1 / (1 - rate)); no tensors leak', async () => {
    const x = tf.ones([3, 4]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const layer = new WaveMixDropout({ rate: 0.5 });
      const g = tf.grad((v: tf.Tensor) => tf.sum(layer.apply(v, { training: true }) as tf.Tensor))(x);
      const values = await g.data();
      // d sum(dropout(x)) / dx = the mask times 2: every element 0 or 2.
      expect(values.every((v) => v === 0 || v === 2)).toBe(true);
      g.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  test('serialises (className WaveMixDropout, rate) and refuses rates outside [0, 1)', () => {
    const layer = new WaveMixDropout({ rate: 0.1, name: 'ff.2' });
    const config = layer.getConfig();
    expect(config['rate']).toBe(0.1);
    const registered = Object.keys(serialization.SerializationMap.getMap().classNameMap);
    expect(registered.some((name) => name.endsWith('WaveMixDropout'))).toBe(true);
    expect(WaveMixDropout.className).toBe('WaveMixDropout');
    expect(() => new WaveMixDropout({ rate: 1 })).toThrow(WaveMixArgumentError);
    expect(() => new WaveMixDropout({ rate: -0.5 })).toThrow(/rate: must be a drop probability in \[0, 1\)/);
  });
});
