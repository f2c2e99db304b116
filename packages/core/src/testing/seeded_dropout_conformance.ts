/**
 * Conformance cases for `seededDropout`: the hash against murmur3's published finaliser values and
 * values computed once in Python, the op on the backend equal element for element to the
 * typed-array reference (kernel or host-side mask), the kept fraction and mean, the gradient as
 * the same mask on dy, NaN propagation, rate 0, bad inputs and tensor growth.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '../errors';
import { dropoutHash, dropoutSeedKey, fmix32, seededDropoutImpl } from '../impl/seeded_dropout';
import { seededDropout } from '../ops/seeded_dropout';
import { assert, assertClose, assertNoTensorGrowth, assertThrows, randomArray } from './assert';
import { type ConformanceCase, type ConformanceOptions, conformanceCaseList } from './conformance';

const values = async (t: tf.Tensor) => (await t.data()) as Float32Array;

function reference(x: Float32Array, rate: number, seed: number): Float32Array {
  const out = new Float32Array(x.length);
  seededDropoutImpl(x, rate, seed, out);
  return out;
}

function assertSameBits(actual: Float32Array, expected: Float32Array, label: string): void {
  assert(actual.length === expected.length, `${label}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]) && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i])))
      assert(false, `${label}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

export function seededDropoutConformanceCases(options: ConformanceOptions = {}): ConformanceCase[] {
  const { cases, add } = conformanceCaseList(options, 'seededDropout: ', []);

  add('hash: murmur3 fmix32 reference values, and the mask hashes of seed 12345 (Python)', async () => {
    assert(fmix32(0) === 0 && fmix32(1) === 0x514e28b7 && fmix32(0xdeadbeef) === 0x0de5c6a9, 'fmix32 values');
    const key = dropoutSeedKey(12345);
    assert(key === 1011272156, `seed key ${key}`);
    const expected = [1667532479, 341366142, 967396662, 1688225415, 3745916151, 24694202];
    expected.forEach((h, i) => assert(dropoutHash(key, i) === h, `hash ${i}: ${dropoutHash(key, i)}, expected ${h}`));
  });

  add('values equal the reference bit for bit (odd sizes, rates 0.1 / 0.5 / 0.9)', async () => {
    for (const [shape, rate, seed] of [
      [[2, 5, 7, 3], 0.1, 1],
      [[1, 1, 1, 1], 0.5, 7],
      [[3, 17], 0.9, 4294967295],
      [[4, 8, 8, 16], 0.5, 12345],
    ] as Array<[number[], number, number]>) {
      const xs = randomArray(
        shape.reduce((a, b) => a * b, 1),
        310 + (seed % 97),
      );
      const x = tf.tensor(xs, shape);
      const y = seededDropout(x, rate, seed);
      try {
        assert(y.shape.join() === shape.join(), `shape [${y.shape}]`);
        assertSameBits(await values(y), reference(xs, rate, seed), `rate ${rate} seed ${seed}`);
      } finally {
        tf.dispose([x, y]);
      }
    }
  });

  add('keeps 1 - rate of the elements, scaled by 1 / (1 - rate); seeds give different masks', async () => {
    const n = 65536;
    const ones = tf.ones([n]);
    const outs = [seededDropout(ones, 0.3, 5), seededDropout(ones, 0.3, 6)];
    try {
      const [a, b] = [await values(outs[0]!), await values(outs[1]!)];
      const keptA = a.filter((v) => v !== 0).length / n;
      // 5 standard deviations of a binomial fraction: sqrt(0.21 / 65536) = 0.0018
      assert(Math.abs(keptA - 0.7) < 0.009, `kept fraction ${keptA}, expected 0.7`);
      assertClose([a.find((v) => v !== 0)!], [1 / 0.7], { rtol: 1e-7, label: 'scale' });
      const both = a.filter((v, i) => v !== 0 && b[i] !== 0).length / n;
      assert(Math.abs(both - 0.49) < 0.01, `both masks keep ${both} (independent: 0.49)`);
    } finally {
      tf.dispose([ones, ...outs]);
    }
  });

  add('gradient: dy with the same mask and scale', async () => {
    const xs = randomArray(2 * 6 * 5 * 4, 320);
    const dys = randomArray(2 * 6 * 5 * 4, 321);
    const x = tf.tensor4d(xs, [2, 6, 5, 4]);
    const dy = tf.tensor4d(dys, [2, 6, 5, 4]);
    const grad = tf.grad((input: tf.Tensor) => seededDropout(input, 0.4, 99))(x, dy);
    try {
      assertSameBits(await values(grad), reference(dys, 0.4, 99), 'grad_x');
    } finally {
      tf.dispose([x, dy, grad]);
    }
  });

  add('NaN and infinities propagate where dropped (x * 0), rate 0 copies', async () => {
    const xs = new Float32Array(64).fill(Number.NaN);
    xs[1] = Number.POSITIVE_INFINITY;
    const x = tf.tensor1d(xs);
    const y = seededDropout(x, 0.5, 3);
    const finite = tf.tensor1d([1.5, -2, 3]);
    const same = seededDropout(finite, 0, 3);
    try {
      assert(
        (await values(y)).every((v) => Number.isNaN(v)),
        'NaN * mask is NaN; inf * 0 is NaN',
      );
      assert(same !== finite, 'rate 0 returns a new tensor');
      assertSameBits(await values(same), new Float32Array([1.5, -2, 3]), 'rate 0');
    } finally {
      tf.dispose([x, y, finite, same]);
    }
  });

  add('bad inputs raise WaveMixArgumentError', async () => {
    const x = tf.zeros([2, 3]);
    const ints = tf.zeros([2, 3], 'int32');
    try {
      for (const rate of [1, -0.1, Number.NaN])
        assertThrows(() => seededDropout(x, rate, 1), /^rate: .*\[0, 1\)/, WaveMixArgumentError, `rate ${rate}`);
      for (const seed of [-1, 1.5, 2 ** 32])
        assertThrows(() => seededDropout(x, 0.5, seed), /^seed: .*\[0, 2\^32\)/, WaveMixArgumentError, `seed ${seed}`);
      assertThrows(() => seededDropout(ints, 0.5, 1), /^x: .*float32, got int32/, WaveMixArgumentError, 'int32');
    } finally {
      tf.dispose([x, ints]);
    }
  });

  add('no tensor growth over repeated calls and gradients', async () => {
    const x = tf.tensor4d(randomArray(2 * 6 * 5 * 3, 330), [2, 6, 5, 3]);
    const round = async () => {
      const outs = [seededDropout(x, 0.5, 8), tf.grad((input: tf.Tensor) => seededDropout(input, 0.5, 8))(x)];
      await outs[1]!.data();
      tf.dispose(outs);
    };
    try {
      await assertNoTensorGrowth(round);
    } finally {
      tf.dispose(x);
    }
  });

  return cases;
}
