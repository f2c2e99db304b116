import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { dwtFixtureCases, nchwToNhwc, waveMixLayout } from '@wavemix/core/testing';
import { DWT2D } from './dwt2d_layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 4x4 input 1..16 row-major (specification §1 (docs/specification.md) worked example), one channel, NHWC. */
const ramp = () =>
  tf.tensor4d(
    Array.from({ length: 16 }, (_, i) => i + 1),
    [1, 4, 4, 1],
  );

describe('DWT2D layer', () => {
  it('reproduces the worked 4x4 example at one and two levels', () => {
    const one = new DWT2D({ levels: 1 }).apply(ramp()) as tf.Tensor;
    // channels: LL, LH, HL, HH
    expect(Array.from(one.dataSync())).toEqual([7, -4, -1, 0, 11, -4, -1, 0, 23, -4, -1, 0, 27, -4, -1, 0]);
    const two = new DWT2D({ levels: 2 }).apply(ramp()) as tf.Tensor[];
    expect(two).toHaveLength(2);
    expect(two[0]!.shape).toEqual([1, 2, 2, 4]);
    expect(two[1]!.shape).toEqual([1, 1, 1, 4]);
    expect(Array.from(two[1]!.dataSync())).toEqual([34, -16, -4, 0]);
  });

  it('orders channels band-major with layout "bands"', () => {
    // channel 0 = 1..16, channel 1 = 10 * (1..16): every band of channel 1 is 10x channel 0's.
    const values: number[] = [];
    for (let i = 1; i <= 16; i++) values.push(i, 10 * i);
    const x = tf.tensor4d(values, [1, 4, 4, 2]);
    const wavemix = new DWT2D({ layout: 'wavemix' }).apply(x) as tf.Tensor;
    const bands = new DWT2D({ layout: 'bands' }).apply(x) as tf.Tensor;
    const firstPixel = (t: tf.Tensor) => Array.from(t.dataSync().slice(0, 8));
    // [LL0, LL1, LH0, HL0, HH0, LH1, HL1, HH1]
    expect(firstPixel(wavemix)).toEqual([7, 70, -4, -1, 0, -40, -10, 0]);
    // [LL0, LL1, LH0, LH1, HL0, HL1, HH0, HH1]
    expect(firstPixel(bands)).toEqual([7, 70, -4, -40, -1, -10, 0, 0]);
  });

  it('computes output shapes with unknown sizes and odd sizes', () => {
    const layer = new DWT2D({ levels: 3 });
    expect(layer.computeOutputShape([null, null, null, 3])).toEqual([
      [null, null, null, 12],
      [null, null, null, 12],
      [null, null, null, 12],
    ]);
    expect(layer.computeOutputShape([2, 9, null, 1])).toEqual([
      [2, 5, null, 4],
      [2, 3, null, 4],
      [2, 2, null, 4],
    ]);
    expect(new DWT2D().computeOutputShape([null, 7, 5, 2])).toEqual([null, 4, 3, 8]);
    const input = tf.input({ shape: [null, null, 3] });
    const out = new DWT2D({ levels: 2 }).apply(input) as tf.SymbolicTensor[];
    expect(out.map((t) => t.shape)).toEqual([
      [null, null, null, 12],
      [null, null, null, 12],
    ]);
  });

  it('rejects bad arguments and sizes too small for the pyramid, naming the value', () => {
    expect(() => new DWT2D({ levels: 0 })).toThrow(/levels.*integer >= 1, got 0/);
    expect(() => new DWT2D({ levels: 1.5 })).toThrow(/got 1.5/);
    expect(() => new DWT2D({ layout: 'nchw' as never })).toThrow(/layout.*wavemix, bands, got nchw/);
    expect(() => new DWT2D({ levels: 3, name: 'dwt' }).computeOutputShape([1, 7, 32, 1])).toThrow(
      /needs height >= 8.*got height 7/,
    );
    expect(() => new DWT2D().computeOutputShape([1, 4, 4])).toThrow(/rank-4/);
  });

  it('matches the PyTorch input gradients of every fixture case', () => {
    for (const c of dwtFixtureCases()) {
      const [n, ch, h, w] = c.xShape;
      const levels = c.levelShapes.length;
      const x = tf.tensor4d(nchwToNhwc(c.x, c.xShape), [n, h, w, ch]);
      // Weights on the layer outputs: highs of every level, plus the coarsest LL (finer LLs are not outputs of pytorch_wavelets).
      const weights = c.levelShapes.map((shape, level) => {
        const low = level === levels - 1 ? c.wl : null;
        const [, , lh, lw] = shape;
        return tf.tensor4d(waveMixLayout(low, c.wh[level]!, shape), [n, lh, lw, 4 * ch]);
      });
      const layer = new DWT2D({ levels });
      const grad = tf.grad((input: tf.Tensor) => {
        const out = layer.apply(input) as tf.Tensor | tf.Tensor[];
        const list = Array.isArray(out) ? out : [out];
        return tf.addN(list.map((t, i) => tf.sum(tf.mul(t, weights[i]!))));
      })(x);
      const expected = nchwToNhwc(c.gradX, c.xShape);
      const actual = grad.dataSync();
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
      expect(worst).toBeLessThan(1e-5);
      tf.dispose([x, grad, ...weights]);
    }
  });

  it('serialises: JSON round trip keeps levels and layout and the same outputs', async () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const out = new DWT2D({ levels: 2, layout: 'bands', name: 'wavelets' }).apply(input) as tf.SymbolicTensor[];
    const model = tf.model({ inputs: input, outputs: out });
    const json = model.toJSON(null, false) as {
      config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> };
    };
    const entry = json.config.layers.find((l) => l.config['name'] === 'wavelets')!;
    expect(entry.class_name).toBe('DWT2D');
    expect(tf.serialization.getRegisteredName(DWT2D)).toBe('WaveMix>DWT2D');
    expect(tf.serialization.SerializationMap.getMap().classNameMap['DWT2D']?.[0]).toBe(DWT2D);
    expect(entry.config['levels']).toBe(2);
    expect(entry.config['layout']).toBe('bands');
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomNormal([1, 8, 8, 2], 0, 1, 'float32', 7);
    const a = model.predict(x) as tf.Tensor[];
    const b = loaded.predict(x) as tf.Tensor[];
    expect(b.length).toBe(2);
    a.forEach((t, i) => expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(t.dataSync())));
    tf.dispose([x, ...a, ...b]);
  });

  it('leaks no tensors', () => {
    const layer = new DWT2D({ levels: 2 });
    const x = tf.ones([1, 8, 8, 2]);
    tf.dispose(layer.apply(x) as tf.Tensor[]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) tf.dispose(layer.apply(x) as tf.Tensor[]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
