import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { WaveMixArgumentError } from '@wavemix/core';
import { PointwiseMlp } from './pointwise_mlp';
import { feedForward } from './wave_block';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dims = { finalDim: 12, mult: 2, ffChannel: 10, dropout: 0.5 };

/** Input -> feedForward's `.0` Conv1x1 -> `.1` GELU -> `.2` Dropout -> `.3` Conv1x1 as its own model. */
function unfusedUnit(inChannels: number): tf.LayersModel {
  const input = tf.input({ shape: [null, null, inChannels] });
  const full = tf.model({ inputs: input, outputs: feedForward(input, { ...dims, outChannels: 12, name: 'ff' }) });
  return tf.model({ inputs: input, outputs: full.getLayer('ff.3').output as tf.SymbolicTensor });
}

/** The fused layer carrying the unit's weights: the [1, 1, in, out] kernels reshaped. */
function fusedFrom(unfused: tf.LayersModel, inChannels: number): tf.LayersModel {
  const [k1, b1] = unfused.getLayer('ff.0').getWeights();
  const [k2, b2] = unfused.getLayer('ff.3').getWeights();
  const layer = new PointwiseMlp({ name: 'ff.fused', hiddenChannels: 24, outChannels: 10 });
  const input = tf.input({ shape: [null, null, inChannels] });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  layer.setWeights([tf.reshape(k1!, [inChannels, 24]), b1!, tf.reshape(k2!, [24, 10]), b2!]);
  return model;
}

describe('PointwiseMlp layer', () => {
  it("equals a built feedForward's Conv1x1 -> GELU -> Dropout -> Conv1x1 with the same weights (inference)", async () => {
    const unfused = unfusedUnit(7);
    const fused = fusedFrom(unfused, 7);
    const x = tf.randomUniform([2, 5, 3, 7], -3, 3, 'float32', 5);
    const expected = (await (unfused.predict(x) as tf.Tensor).data()) as Float32Array;
    const actual = (await (fused.predict(x) as tf.Tensor).data()) as Float32Array;
    expect(actual).toHaveLength(2 * 5 * 3 * 10);
    const scale = Math.max(...expected.map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    expected.forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThanOrEqual(1e-5 * scale));
  });

  it('on two inputs is the unit on their channel concatenation; such a model round-trips through JSON', async () => {
    const unfused = unfusedUnit(7);
    const [k1, b1] = unfused.getLayer('ff.0').getWeights();
    const [k2, b2] = unfused.getLayer('ff.3').getWeights();
    const a = tf.input({ shape: [null, null, 4] });
    const b = tf.input({ shape: [null, null, 3] });
    const layer = new PointwiseMlp({ name: 'ff.parts', hiddenChannels: 24, outChannels: 10 });
    const model = tf.model({ inputs: [a, b], outputs: layer.apply([a, b]) as tf.SymbolicTensor });
    layer.setWeights([tf.reshape(k1!, [7, 24]), b1!, tf.reshape(k2!, [24, 10]), b2!]);
    expect(model.countParams()).toBe(442);
    const xa = tf.randomUniform([2, 5, 3, 4], -3, 3, 'float32', 7);
    const xb = tf.randomUniform([2, 5, 3, 3], -3, 3, 'float32', 8);
    const expected = (await (unfused.predict(tf.concat([xa, xb], 3)) as tf.Tensor).data()) as Float32Array;
    const scale = Math.max(...expected.map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    const copy = await tf.models.modelFromJSON({ modelTopology: model.toJSON(undefined, false) } as never);
    copy.setWeights(model.getWeights());
    for (const m of [model, copy]) {
      const actual = (await (m.predict([xa, xb]) as tf.Tensor).data()) as Float32Array;
      expected.forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThanOrEqual(1e-5 * scale));
    }
    expect(() =>
      new PointwiseMlp({ hiddenChannels: 4, outChannels: 2 }).apply([
        tf.input({ shape: [4, 4, 2] }),
        tf.input({ shape: [5, 4, 2] }),
      ]),
    ).toThrow(/axis 1 differs/);
    expect(() =>
      new PointwiseMlp({ hiddenChannels: 4, outChannels: 2 }).apply(
        [1, 2, 3].map(() => tf.input({ shape: [4, 4, 2] })),
      ),
    ).toThrow(/two parts/);
  });

  it('has the unit’s parameter count and PyTorch-initialised weights of the stated shapes', () => {
    const unfused = unfusedUnit(7);
    const fused = fusedFrom(unfused, 7);
    expect(fused.countParams()).toBe(unfused.countParams()); // 7*24 + 24 + 24*10 + 10 = 442
    expect(fused.countParams()).toBe(442);
    const fresh = new PointwiseMlp({ hiddenChannels: 24, outChannels: 10 });
    fresh.apply(tf.input({ shape: [4, 4, 16] }));
    expect(fresh.getWeights().map((w) => w.shape)).toEqual([[16, 24], [24], [24, 10], [10]]);
    // U(-1/sqrt(fan_in), 1/sqrt(fan_in)): fan_in 16 for w1 and b1
    const w1 = fresh.getWeights()[0]!.dataSync();
    expect(Math.max(...w1.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...w1.map(Math.abs))).toBeGreaterThan(0.2);
  });

  it('trains: gradients reach all four weights', () => {
    const layer = new PointwiseMlp({ hiddenChannels: 6, outChannels: 3 });
    const x = tf.randomUniform([1, 2, 2, 4], -1, 1, 'float32', 6);
    layer.apply(x);
    const { grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar);
    expect(Object.keys(grads)).toHaveLength(4);
    for (const g of Object.values(grads)) expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
  });

  it('round-trips through its config and the WaveMix serialization registry', () => {
    const layer = new PointwiseMlp({ name: 'mlp', hiddenChannels: 8, outChannels: 5 });
    const config = layer.getConfig();
    expect(config).toMatchObject({ name: 'mlp', hiddenChannels: 8, outChannels: 5 });
    expect(tf.serialization.getRegisteredName(PointwiseMlp)).toBe('WaveMix>PointwiseMlp');
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap['PointwiseMlp']!;
    expect(cls).toBe(PointwiseMlp);
    const copy = fromConfig(cls, config) as PointwiseMlp;
    expect(copy).toBeInstanceOf(PointwiseMlp);
    expect(copy.hiddenChannels).toBe(8);
    expect(copy.computeOutputShape([null, 3, 4, 2])).toEqual([null, 3, 4, 5]);
  });

  it('refuses bad sizes with WaveMixArgumentError', () => {
    expect(() => new PointwiseMlp({ hiddenChannels: 0, outChannels: 3 })).toThrow(WaveMixArgumentError);
    expect(() => new PointwiseMlp({ hiddenChannels: 4, outChannels: 2.5 })).toThrow(
      /outChannels: must be a positive integer/,
    );
    expect(() => new PointwiseMlp({ hiddenChannels: 4, outChannels: 2 }).computeOutputShape([3, 4])).toThrow(/rank-4/);
  });
});
