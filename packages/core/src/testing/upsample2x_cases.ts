/**
 * The cases every x2 upsampling op's conformance suite shares: bad inputs get a typed error, and
 * repeated calls and gradients leave the tensor count as it was.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '../errors';
import { assertNoTensorGrowth, assertThrows, randomArray } from './assert';

type Add = (name: string, body: () => Promise<void>) => void;

export function addUpsample2xCommonCases(add: Add, op: (x: tf.Tensor) => tf.Tensor, channels: number, seed: number) {
  add('bad inputs raise WaveMixArgumentError', async () => {
    const rank3 = tf.zeros([4, 4, 1]);
    const ints = tf.zeros([1, 4, 4, 1], 'int32');
    try {
      assertThrows(() => op(rank3), /^x: .*rank 4/, WaveMixArgumentError, 'rank 3');
      assertThrows(() => op(ints), /^x: .*float32, got int32/, WaveMixArgumentError, 'int32');
    } finally {
      tf.dispose([rank3, ints]);
    }
  });

  add('no tensor growth over repeated calls and gradients', async () => {
    const x = tf.tensor4d(randomArray(2 * 6 * 5 * channels, seed), [2, 6, 5, channels]);
    const dy = tf.tensor4d(randomArray(2 * 12 * 10 * channels, seed + 1), [2, 12, 10, channels]);
    const round = async () => {
      const outs = [op(x), tf.grad((input: tf.Tensor) => op(input))(x, dy)];
      await outs[1]!.data();
      tf.dispose(outs);
    };
    try {
      await assertNoTensorGrowth(round);
    } finally {
      tf.dispose([x, dy]);
    }
  });
}
