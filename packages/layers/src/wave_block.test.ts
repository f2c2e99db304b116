import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { Upsample2x } from './upsample2x_layer';
import { batchNorm, conv2d, feedForward, residualWaveBlock, waveBlock } from './wave_block';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dims = { finalDim: 16, mult: 2, ffChannel: 12, dropout: 0 };

function blockModel(level: number, size: number | null = 16, extra: Partial<typeof dims> = {}) {
  const input = tf.input({ shape: [size, size, 16] });
  const out = waveBlock(input, { ...dims, ...extra, level, name: 'layers.0' });
  return tf.model({ inputs: input, outputs: out });
}

function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1), 0);
}

describe('waveBlock', () => {
  it('has the trainable parameter count of specification §6 (block_L) for every level', () => {
    // block_1 = c*q + q + FF(c, c); block_L = c*q + q + FF(c+h, c) + (L-2) FF(c+h, h) + FF(c, h),
    // evaluated for c = 16, m = 2, f = 12 and for m = 3.
    expect([1, 2, 3, 4].map((level) => trainableCount(blockModel(level)))).toEqual([4128, 6884, 9640, 12396]);
    expect([1, 2, 3, 4].map((level) => trainableCount(blockModel(level, 16, { mult: 3 })))).toEqual([
      4592, 7940, 11288, 14636,
    ]);
  });

  it('names every weighted layer after its PyTorch state_dict module', () => {
    const names = blockModel(3)
      .layers.filter((l) => l.weights.length > 0)
      .map((l) => l.name)
      .sort();
    const expected = ['layers.0.reduction'];
    for (const k of [1, 2, 3]) for (const i of [0, 3, 4, 5]) expected.push(`layers.0.feedforward${k}.${i}`);
    expect(names).toEqual(expected.sort());
    const lite = blockModel(1)
      .layers.filter((l) => l.weights.length > 0)
      .map((l) => l.name)
      .sort();
    expect(lite).toEqual([
      'layers.0.feedforward.0',
      'layers.0.feedforward.3',
      'layers.0.feedforward.4',
      'layers.0.feedforward.5',
      'layers.0.reduction',
    ]);
  });

  it('builds the feed-forward unit from the standard layers the spec lists', () => {
    const input = tf.input({ shape: [4, 4, 8] });
    const out = feedForward(input, { ...dims, outChannels: 6, name: 'ff' });
    expect(out.shape).toEqual([null, 8, 8, 6]);
    const model = tf.model({ inputs: input, outputs: out });
    const byName = (n: string) => model.getLayer(n);
    expect(model.layers.slice(1).map((l) => l.getClassName())).toEqual([
      'Conv2D',
      'Activation',
      'WaveMixDropout',
      'Conv2D',
      'Conv2DTranspose',
      'BatchNormalization',
    ]);
    const transpose = byName('ff.4').getConfig();
    expect([transpose['kernelSize'], transpose['strides'], transpose['padding']]).toEqual([[4, 4], [2, 2], 'same']);
    const bn = byName('ff.5').getConfig();
    expect([bn['epsilon'], bn['momentum']]).toEqual([1e-5, 0.9]);
    expect(byName('ff.1').getConfig()['activation']).toBe('gelu');
  });

  it('uses the exact erf GELU (not the tanh approximation)', () => {
    const input = tf.input({ shape: [4, 4, 8] });
    const model = tf.model({ inputs: input, outputs: feedForward(input, { ...dims, outChannels: 8, name: 'ff' }) });
    const x = tf.tensor([-2, -1, -0.5, 0.5, 1, 2, 3]);
    const y = model.getLayer('ff.1').apply(x) as tf.Tensor;
    // x * Phi(x) from Python's math.erf; the tanh form differs by up to 1.5e-4 here.
    const erfGelu = [
      -0.04550026389635842, -0.15865525393145707, -0.15426876936299344, 0.34573123063700656, 0.8413447460685429,
      1.9544997361036416, 2.99595030590511,
    ];
    const actual = y.dataSync();
    erfGelu.forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThan(2e-6));
    tf.dispose([x, y]);
  });

  it('keeps H x W and the channel count, with unknown sizes too', () => {
    for (const level of [1, 2, 3, 4]) {
      expect(blockModel(level).outputs[0]!.shape).toEqual([null, 16, 16, 16]);
      expect(blockModel(level, null).outputs[0]!.shape).toEqual([null, null, null, 16]);
    }
    const model = blockModel(4, null);
    const y = model.predict(tf.ones([1, 32, 48, 16])) as tf.Tensor;
    expect(y.shape).toEqual([1, 32, 48, 16]);
    y.dispose();
  });

  it('rejects bad dimensions, naming the constraint and the value', () => {
    const input = tf.input({ shape: [16, 16, 18] });
    expect(() => waveBlock(input, { ...dims, finalDim: 18, level: 1, name: 'b' })).toThrow(
      /finalDim.*divisible by 4.*got 18/,
    );
    expect(() => blockModel(5)).toThrow(/level.*1, 2, 3 or 4.*got 5/);
    expect(() => blockModel(0)).toThrow(/got 0/);
    expect(() => blockModel(3, 12)).toThrow(/level-3 wave block needs height divisible by 8, got height 12/);
    expect(() => waveBlock(input, { ...dims, level: 1, name: 'b' })).toThrow(/18 channels.*finalDim 16/);
    expect(() => blockModel(1, 16, { dropout: 1 })).toThrow(/dropout.*\[0, 1\), got 1/);
  });

  it('runs BatchNorm before nearest upsampling: outputs, input gradient and moving statistics as Upsample -> BatchNorm', () => {
    const input = tf.input({ shape: [6, 4, 8] });
    const opts = { finalDim: 8, mult: 2, ffChannel: 8, dropout: 0, outChannels: 8, upsample: 'nearest' as const };
    const ours = tf.model({ inputs: input, outputs: feedForward(input, { ...opts, name: 'ff' }) });
    // PyTorch's module order, built by hand: .0 conv, .1 GELU, .3 conv, .4 Upsample, .5 BatchNorm.
    let y = conv2d('ff.0', 8, 16, 1).apply(input) as tf.SymbolicTensor;
    y = tf.layers.activation({ activation: 'gelu' }).apply(y) as tf.SymbolicTensor;
    y = conv2d('ff.3', 16, 8, 1).apply(y) as tf.SymbolicTensor;
    y = new Upsample2x({ name: 'ff.4', mode: 'nearest' }).apply(y) as tf.SymbolicTensor;
    const reference = tf.model({ inputs: input, outputs: batchNorm('ff.5').apply(y) as tf.SymbolicTensor });
    expect(ours.layers.map((l) => l.name).slice(-2)).toEqual(['ff.5', 'ff.4']);
    for (const name of ['ff.0', 'ff.3', 'ff.5']) {
      const bn = name === 'ff.5';
      const weights = ours
        .getLayer(name)
        .getWeights()
        .map((w, i) =>
          bn ? tf.randomUniform(w.shape, i < 2 ? 0.5 : -1, i < 2 ? 1.5 : 1, 'float32', 7 + i).add(i === 3 ? 1 : 0) : w,
        );
      ours.getLayer(name).setWeights(weights);
      reference.getLayer(name).setWeights(weights);
    }
    const x = tf.randomNormal([3, 6, 4, 8], 0.3, 2, 'float32', 5);
    const dy = tf.randomNormal([3, 12, 8, 8], 0, 1, 'float32', 6);
    const run = (model: tf.LayersModel) =>
      tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input, { training: true }) as tf.Tensor, dy)))(x);
    const outOurs = ours.apply(x, { training: true }) as tf.Tensor;
    const outReference = reference.apply(x, { training: true }) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(outOurs, outReference))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(outReference)).dataSync()[0]).toBeGreaterThan(1);
    const gradOurs = run(ours);
    const gradReference = run(reference);
    expect(tf.max(tf.abs(tf.sub(gradOurs, gradReference))).dataSync()[0]).toBeLessThan(1e-5);
    // Moving mean and variance after the three training-mode calls each model made.
    const moving = (m: tf.LayersModel) =>
      m
        .getLayer('ff.5')
        .getWeights()
        .slice(2)
        .map((w) => Array.from(w.dataSync()));
    const [meanOurs, varOurs] = moving(ours);
    const [meanReference, varReference] = moving(reference);
    meanOurs!.forEach((v, i) => expect(v).toBeCloseTo(meanReference![i]!, 5));
    varOurs!.forEach((v, i) => expect(v).toBeCloseTo(varReference![i]!, 5));
    expect(Math.max(...meanReference!.map(Math.abs))).toBeGreaterThan(0.05);
  });

  it('adds the residual under the block name', () => {
    const input = tf.input({ shape: [8, 8, 16] });
    const out = residualWaveBlock(input, { ...dims, level: 2, name: 'layers.3' });
    const model = tf.model({ inputs: input, outputs: out });
    expect(model.getLayer('layers.3.residual').getClassName()).toBe('Add');
  });
});
