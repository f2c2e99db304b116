/**
 * The fuse-batchnorm-epilogue rewrite (in load()'s rules): a conv's bias, the BatchNormalization
 * after it and a residual Add become one ChannelAffine with the same output (cpu: the composite;
 * wasm: one kernel), the conv keeping the source's kernel; anything else is left alone.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@wavemix/kernels-cpu';
import '@wavemix/kernels-wasm';
import { createModel } from '../create_model';
import { relativeError } from '../testing/fixtures';
import { LOAD_REWRITE_RULES, rewriteForInference } from './optimize';
import { fuseBatchNormEpilogue, removeIdentityLayers } from './rewrite_rules';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const count = (model: tf.LayersModel, className: string) =>
  model.layers.filter((l) => l.getClassName() === className).length;

/** Trained-looking BatchNorm statistics (fresh ones are the identity: 0 / 1 / 1 / 0). */
function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const n = layer.getWeights()[0]!.shape[0]!;
    const s = seed++ * 4;
    const values = tf.tidy(() => [
      tf.add(1, tf.mul(0.3, tf.randomNormal([n], 0, 1, 'float32', s))),
      tf.mul(0.3, tf.randomNormal([n], 0, 1, 'float32', s + 1)),
      tf.mul(0.5, tf.randomNormal([n], 0, 1, 'float32', s + 2)),
      tf.add(0.25, tf.mul(1.5, tf.randomUniform([n], 0, 1, 'float32', s + 3))),
    ]);
    layer.setWeights(values);
    tf.dispose(values);
  }
}

async function outputError(model: tf.LayersModel, optimized: tf.LayersModel, x: tf.Tensor): Promise<number> {
  const [expected, actual] = [model, optimized].map((m) => m.predict(x) as tf.Tensor);
  const error = relativeError((await actual!.data()) as Float32Array, (await expected!.data()) as Float32Array);
  tf.dispose([expected!, actual!]);
  return error;
}

const small = { mult: 2, ffChannel: 8, finalDim: 8, dropout: 0.5, numClasses: 5, task: 'classification' } as const;

describe('fuse-batchnorm-epilogue', () => {
  it('every unit of a WaveMix-Lite (ConvTranspose, BatchNorm, residual Add) and a level-3 WaveMix; same output on cpu and wasm', async () => {
    const cases = [
      // Lite level 1: each unit's BatchNorm is read by the block's residual Add.
      { config: { ...small, depth: 2, level: 1, initialConv: 'strided', stride: 1 }, units: 2, adds: 2 },
      // Level 3: the level-1 unit's BatchNorm feeds the residual Add, levels 2 and 3 feed a concatenation.
      { config: { ...small, depth: 1, level: 3, initialConv: 'pachify', patchSize: 2 }, units: 3, adds: 1 },
    ] as const;
    for (const { config, units, adds } of cases) {
      const model = createModel(config);
      randomiseBatchNorm(model, 3);
      const { model: optimized, rewrites } = rewriteForInference(model, { rules: LOAD_REWRITE_RULES });
      expect(rewrites.find((r) => r.rule === 'fuse-batchnorm-epilogue')?.count).toBe(units);
      expect(count(optimized, 'ChannelAffine')).toBe(units);
      expect(count(model, 'Add') - count(optimized, 'Add')).toBe(adds);
      expect(count(model, 'BatchNormalization') - count(optimized, 'BatchNormalization')).toBe(units);
      for (const layer of optimized.layers.filter((l) => l.getClassName() === 'Conv2DTranspose')) {
        expect(layer.getConfig()['useBias']).toBe(false);
        expect(layer.getWeights()).toHaveLength(1);
      }
      // Each unit of c channels: the BatchNorm's 4 c and the conv bias's c out, ChannelAffine's 2 c in.
      const fused = model.layers.filter(
        (l) =>
          l.getClassName() === 'BatchNormalization' &&
          !optimized.layers.some((o) => o.name === l.name && o.getClassName() === 'BatchNormalization'),
      );
      const channels = fused.reduce((sum, l) => sum + l.countParams() / 4, 0);
      expect(optimized.countParams()).toBe(model.countParams() - 3 * channels);
      const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7);
      for (const backend of ['cpu', 'wasm']) {
        await tf.setBackend(backend);
        expect(await outputError(model, optimized, x)).toBeLessThan(1e-5);
      }
      await tf.setBackend('cpu');
      tf.dispose(x);
      optimized.dispose();
      model.dispose();
    }
  });

  it('the convs keep the source kernels: the rule adds no memory to the optimized model', () => {
    const model = createModel('cifar10-wavemix-lite-64-6');
    const bytes = (rules: Parameters<typeof rewriteForInference>[1]) => {
      const before = tf.memory().numBytes;
      const optimized = rewriteForInference(model, rules).model;
      const added = tf.memory().numBytes - before;
      optimized.dispose();
      return added;
    };
    const without = bytes({ rules: [removeIdentityLayers] });
    const withRule = bytes({ rules: [removeIdentityLayers, fuseBatchNormEpilogue] });
    // Six units of 64 channels: scale and shift in, the ConvTranspose biases and the BatchNorms'
    // four vectors out (no copy of a ConvTranspose kernel: 256 KB each).
    expect(withRule - without).toBe(6 * 64 * 4 * (2 - 1 - 4));
    model.dispose();
  });

  it('leaves alone: a conv with an activation or read twice; a BatchNorm read twice keeps its Add out', async () => {
    const input = tf.input({ shape: [6, 6, 4] });
    const conv = (name: string, options: Partial<Parameters<typeof tf.layers.conv2d>[0]> = {}) =>
      tf.layers.conv2d({ name, filters: 4, kernelSize: 1, ...options });
    const bn = (name: string) => tf.layers.batchNormalization({ name, axis: -1 });
    const outputs: tf.SymbolicTensor[] = [];
    // A relu conv: not foldable.
    outputs.push(bn('bn1').apply(conv('c1', { activation: 'relu' }).apply(input)) as tf.SymbolicTensor);
    // A conv read by the BatchNorm and by the output.
    const c2 = conv('c2').apply(input) as tf.SymbolicTensor;
    outputs.push(bn('bn2').apply(c2) as tf.SymbolicTensor, c2);
    // A BatchNorm read by an Add and by the output: it becomes a ChannelAffine, the Add stays.
    const b3 = bn('bn3').apply(conv('c3').apply(input)) as tf.SymbolicTensor;
    outputs.push(tf.layers.add({ name: 'add3' }).apply([b3, input]) as tf.SymbolicTensor, b3);
    // A three-input Add: the BatchNorm becomes a ChannelAffine, the Add stays.
    const b4 = bn('bn4').apply(conv('c4').apply(input)) as tf.SymbolicTensor;
    outputs.push(tf.layers.add({ name: 'add4' }).apply([b4, input, input]) as tf.SymbolicTensor);
    const model = tf.model({ inputs: input, outputs });
    randomiseBatchNorm(model, 5);
    const { model: optimized, rewrites } = rewriteForInference(model, { rules: [fuseBatchNormEpilogue] });
    expect(rewrites).toEqual([{ rule: 'fuse-batchnorm-epilogue', count: 2 }]);
    expect(optimized.getLayer('bn1').getClassName()).toBe('BatchNormalization');
    expect(optimized.getLayer('bn2').getClassName()).toBe('BatchNormalization');
    expect(optimized.getLayer('bn3').getClassName()).toBe('ChannelAffine');
    expect(optimized.getLayer('add3').getClassName()).toBe('Add');
    expect(optimized.getLayer('bn4').getClassName()).toBe('ChannelAffine');
    expect(optimized.getLayer('add4').getClassName()).toBe('Add');
    const x = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 8);
    const [a, b] = [model, optimized].map((m) => m.predict(x) as tf.Tensor[]);
    for (let i = 0; i < a!.length; i++) {
      expect(relativeError((await b![i]!.data()) as Float32Array, (await a![i]!.data()) as Float32Array)).toBeLessThan(
        1e-5,
      );
    }
    tf.dispose([x, ...a!, ...b!]);
    optimized.dispose();
    model.dispose();
  });
});
