/**
 * The fuse-pointwise-mlp rewrite: every feed-forward unit's Conv1x1 -> GELU -> [Dropout] ->
 * Conv1x1 becomes one PointwiseMlp with the same output (cpu: the composite; wasm: the fused
 * kernel), and nothing else is fused.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@wavemix/kernels-cpu';
import '@wavemix/kernels-wasm';
import { type PointwiseMlp, PointwiseMlp as PointwiseMlpLayer } from '@wavemix/layers';
import { createModel } from '../create_model';
import { relativeError } from '../testing/fixtures';
import { fusePointwiseMlp, readConcatInPointwiseMlp } from './fuse_pointwise_mlp';
import { rewriteForInference } from './optimize';
import { removeIdentityLayers } from './rewrite_rules';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const classNames = (model: tf.LayersModel) => model.layers.map((l) => l.getClassName());

async function outputError(model: tf.LayersModel, optimized: tf.LayersModel, x: tf.Tensor): Promise<number> {
  const [expected, actual] = [model, optimized].map((m) => m.predict(x) as tf.Tensor);
  const error = relativeError((await actual!.data()) as Float32Array, (await expected!.data()) as Float32Array);
  tf.dispose([expected!, actual!]);
  return error;
}

describe('fuse-pointwise-mlp', () => {
  it('fuses every feed-forward unit of a WaveMix-Lite (level 1) and a WaveMix level 2; same output on cpu', async () => {
    const cases = [
      { model: createModel('mnist-wavemix-lite-8-10'), input: [2, 28, 28, 1], units: 10 },
      {
        model: createModel({
          task: 'classification',
          numClasses: 5,
          depth: 1,
          mult: 2,
          ffChannel: 8,
          finalDim: 8,
          dropout: 0.5,
          level: 2,
          initialConv: 'pachify',
          patchSize: 2,
        }),
        input: [1, 16, 16, 3],
        units: 2,
      },
    ];
    for (const { model, input, units } of cases) {
      const { model: optimized, rewrites } = rewriteForInference(model);
      expect(rewrites.find((r) => r.rule === 'fuse-pointwise-mlp')).toEqual({
        rule: 'fuse-pointwise-mlp',
        count: units,
      });
      expect(classNames(optimized).filter((c) => c === 'PointwiseMlp')).toHaveLength(units);
      expect(classNames(optimized).filter((c) => c === 'Activation')).toHaveLength(
        classNames(model).filter((c) => c === 'Activation').length - units,
      );
      expect(optimized.countParams()).toBe(model.countParams() - foldedBatchNormParams(model, optimized));
      const x = tf.randomNormal(input, 0, 1, 'float32', 3);
      expect(await outputError(model, optimized, x)).toBeLessThan(1e-5);
      tf.dispose(x);
      optimized.dispose();
      model.dispose();
    }
  });

  it('on wasm the optimized model (fused kernel) equals the original (FusedConv2D, GELU, FusedConv2D)', async () => {
    await tf.setBackend('wasm');
    try {
      const model = createModel('cifar10-wavemix-lite-64-6', { overrides: { depth: 2 } });
      const { model: optimized } = rewriteForInference(model);
      expect(classNames(optimized).filter((c) => c === 'PointwiseMlp')).toHaveLength(2);
      const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 4);
      expect(await outputError(model, optimized, x)).toBeLessThan(1e-5);
      tf.dispose(x);
      optimized.dispose();
      model.dispose();
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('fuses a first conv with activation gelu and convs without bias (zero biases)', async () => {
    const input = tf.input({ shape: [4, 4, 3] });
    let y = tf.layers
      .conv2d({ name: 'a', filters: 6, kernelSize: 1, activation: 'gelu', useBias: false })
      .apply(input) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ name: 'b', filters: 2, kernelSize: 1, useBias: false }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    const { model: optimized } = rewriteForInference(model, { rules: [fusePointwiseMlp] });
    expect(classNames(optimized)).toEqual(['InputLayer', 'PointwiseMlp']);
    const fused = optimized.getLayer('b') as PointwiseMlp;
    expect(fused.getWeights().map((w) => w.shape)).toEqual([[3, 6], [6], [6, 2], [2]]);
    expect(await fused.getWeights()[1]!.data()).toEqual(new Float32Array(6));
    const x = tf.randomNormal([2, 4, 4, 3], 0, 2, 'float32', 5);
    expect(await outputError(model, optimized, x)).toBeLessThan(1e-5);
    tf.dispose(x);
    optimized.dispose();
    model.dispose();
  });

  it('leaves alone: a GELU read twice, a 3x3 or strided conv, an activation after the second conv, Dropout not removed first', () => {
    const input = tf.input({ shape: [6, 6, 4] });
    const conv = (name: string, options: Partial<Parameters<typeof tf.layers.conv2d>[0]> = {}) =>
      tf.layers.conv2d({ name, filters: 4, kernelSize: 1, ...options });
    const gelu = (name: string) => tf.layers.activation({ name, activation: 'gelu' });
    const outputs: tf.SymbolicTensor[] = [];
    // GELU read by the second conv and by the model output.
    const g1 = gelu('g1').apply(conv('a1').apply(input)) as tf.SymbolicTensor;
    outputs.push(conv('b1').apply(g1) as tf.SymbolicTensor, g1);
    // A 3x3 first conv; a strided second conv; a relu on the second conv.
    outputs.push(
      conv('b2').apply(
        gelu('g2').apply(conv('a2', { kernelSize: 3, padding: 'same' }).apply(input)),
      ) as tf.SymbolicTensor,
    );
    outputs.push(conv('b3', { strides: 2 }).apply(gelu('g3').apply(conv('a3').apply(input))) as tf.SymbolicTensor);
    outputs.push(
      conv('b4', { activation: 'relu' }).apply(gelu('g4').apply(conv('a4').apply(input))) as tf.SymbolicTensor,
    );
    // Dropout between them, and only the fusion rule runs.
    const dropped = tf.layers.dropout({ name: 'd5', rate: 0.5 }).apply(gelu('g5').apply(conv('a5').apply(input)));
    outputs.push(conv('b5').apply(dropped) as tf.SymbolicTensor);
    const model = tf.model({ inputs: input, outputs });
    const { model: optimized, rewrites } = rewriteForInference(model, { rules: [fusePointwiseMlp] });
    expect(rewrites).toEqual([{ rule: 'fuse-pointwise-mlp', count: 0 }]);
    expect(classNames(optimized)).toEqual(classNames(model));
    optimized.dispose();
    // With Dropout removed first, the fifth pattern (only) fuses.
    const after = rewriteForInference(model, { rules: [removeIdentityLayers, fusePointwiseMlp] });
    expect(after.rewrites.map((r) => r.count)).toEqual([1, 1]);
    expect(after.model.getLayer('b5').getClassName()).toBe('PointwiseMlp');
    after.model.dispose();
    model.dispose();
  });
});

/** A WaveMix classifier of `level` (2 or 3: a concatenation before every unit but the deepest), small. */
const multiLevel = (level: number, depth = 1) =>
  createModel({
    task: 'classification',
    numClasses: 5,
    depth,
    mult: 2,
    ffChannel: 8,
    finalDim: 8,
    dropout: 0.5,
    level,
    initialConv: 'pachify',
    patchSize: 2,
  });

describe('read-concat-in-pointwise-mlp', () => {
  it('every unit on concat[X_k, y] reads the two parts; no Concatenate is left; same output on cpu and wasm', async () => {
    for (const [level, depth, concats] of [
      [2, 2, 2],
      [3, 1, 2],
    ] as const) {
      const model = multiLevel(level, depth);
      expect(classNames(model).filter((c) => c === 'Concatenate')).toHaveLength(concats);
      const { model: optimized, rewrites } = rewriteForInference(model);
      expect(rewrites.at(-1)).toEqual({ rule: 'read-concat-in-pointwise-mlp', count: concats });
      expect(classNames(optimized)).not.toContain('Concatenate');
      const twoInputs = optimized.layers.filter(
        (l) => l.getClassName() === 'PointwiseMlp' && l.inboundNodes[0]!.inputTensors.length === 2,
      );
      expect(twoInputs).toHaveLength(concats);
      expect(optimized.countParams()).toBe(model.countParams() - foldedBatchNormParams(model, optimized));
      const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 6);
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

  it('leaves alone: a concatenation read twice, on another axis, of three parts, or before a Conv2D', () => {
    const input = tf.input({ shape: [4, 4, 4] });
    const other = tf.layers.conv2d({ name: 'c', filters: 4, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const mlp = (name: string) => new PointwiseMlpLayer({ name, hiddenChannels: 6, outChannels: 2 });
    const concat = (name: string, parts: tf.SymbolicTensor[], axis = -1) =>
      tf.layers.concatenate({ name, axis }).apply(parts) as tf.SymbolicTensor;
    const twice = concat('twice', [input, other]);
    const outputs = [
      mlp('m1').apply(twice) as tf.SymbolicTensor,
      twice,
      mlp('m2').apply(concat('rows', [input, other], 1)) as tf.SymbolicTensor,
      mlp('m3').apply(concat('three', [input, other, input])) as tf.SymbolicTensor,
      tf.layers
        .conv2d({ name: 'after', filters: 2, kernelSize: 1 })
        .apply(concat('conv', [input, other])) as tf.SymbolicTensor,
    ];
    const model = tf.model({ inputs: input, outputs });
    const { model: optimized, rewrites } = rewriteForInference(model, { rules: [readConcatInPointwiseMlp] });
    expect(rewrites).toEqual([{ rule: 'read-concat-in-pointwise-mlp', count: 0 }]);
    expect(classNames(optimized)).toEqual(classNames(model));
    optimized.dispose();
    model.dispose();
  });
});

/** Parameters of the BatchNorms the folds removed (the fusion itself keeps every parameter). */
function foldedBatchNormParams(model: tf.LayersModel, optimized: tf.LayersModel): number {
  return model.layers
    .filter((l) => l.getClassName() === 'BatchNormalization' && !optimized.layers.some((o) => o.name === l.name))
    .reduce((sum, l) => sum + l.countParams(), 0);
}
