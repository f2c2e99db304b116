import * as tf from '@tensorflow/tfjs';
import { WaveMixArgumentError } from '@wavemix/core';
import { ChannelAffine } from './channel_affine_layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ChannelAffine layer', () => {
  it('x * scale + shift per channel, plus the residual when called on two inputs; round-trips through JSON', async () => {
    const a = tf.input({ shape: [2, 3] });
    const b = tf.input({ shape: [2, 3] });
    const layer = new ChannelAffine({ name: 'affine' });
    const model = tf.model({ inputs: [a, b], outputs: layer.apply([a, b]) as tf.SymbolicTensor });
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[3], [3]]);
    expect(Array.from(await layer.getWeights()[0]!.data())).toEqual([1, 1, 1]); // the identity when fresh
    layer.setWeights([tf.tensor1d([2, 0.5, -1]), tf.tensor1d([1, 2, 3])]);
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    const r = tf.tensor3d([10, 20, 30, 40, 50, 60], [1, 2, 3]);
    const expected = [13, 23, 30, 49, 54.5, 57];
    expect(Array.from(await (model.predict([x, r]) as tf.Tensor).data())).toEqual(expected);
    const copy = await tf.models.modelFromJSON({ modelTopology: model.toJSON(undefined, false) } as never);
    copy.setWeights(model.getWeights());
    expect(copy.getLayer('affine')).toBeInstanceOf(ChannelAffine);
    expect(Array.from(await (copy.predict([x, r]) as tf.Tensor).data())).toEqual(expected);
    const single = new ChannelAffine({});
    single.apply(x);
    single.setWeights([tf.tensor1d([2, 0.5, -1]), tf.tensor1d([1, 2, 3])]);
    expect(Array.from(await (single.apply(x) as tf.Tensor).data())).toEqual([3, 3, 0, 9, 4.5, -3]);
    expect(tf.serialization.getRegisteredName(ChannelAffine)).toBe('WaveMix>ChannelAffine');
  });

  it('refuses a residual of another shape, and three inputs', () => {
    const x = tf.input({ shape: [2, 3] });
    expect(() => new ChannelAffine({}).apply([x, tf.input({ shape: [2, 4] })])).toThrow(WaveMixArgumentError);
    expect(() => new ChannelAffine({}).apply([x, x, x])).toThrow(/optionally a residual, got 3/);
  });
});
