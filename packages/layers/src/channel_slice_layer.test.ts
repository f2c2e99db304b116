import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { ChannelSlice } from './channel_slice_layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ChannelSlice', () => {
  it('keeps channels [begin, begin + size) like img[:, begin:begin+size]', () => {
    const x = tf.tensor4d([0, 1, 2, 10, 11, 12], [1, 1, 2, 3]);
    const y = new ChannelSlice({ begin: 1, size: 2 }).apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 11, 12]);
    expect(new ChannelSlice({ begin: 0, size: 1 }).computeOutputShape([null, null, null, 3])).toEqual([
      null,
      null,
      null,
      1,
    ]);
    tf.dispose([x, y]);
  });

  it('rejects slices that do not fit', () => {
    expect(() => new ChannelSlice({ begin: 2, size: 2, name: 'cbcr' }).computeOutputShape([1, 4, 4, 3])).toThrow(
      /cbcr: channels \[2, 4\) do not fit an input with 3 channels/,
    );
    expect(() => new ChannelSlice({ begin: -1, size: 1 })).toThrow(/begin.*got -1/);
  });

  it('serialises its config', () => {
    const layer = new ChannelSlice({ begin: 1, size: 2 });
    expect(layer.getConfig()).toMatchObject({ begin: 1, size: 2 });
    expect(ChannelSlice.className).toBe('ChannelSlice');
  });
});
