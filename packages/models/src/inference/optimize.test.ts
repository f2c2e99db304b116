/**
 * optimizeForInference against the model it rewrites (random non-trivial BatchNorm statistics, so
 * a wrong fold shows) and, through load(), against the official PyTorch fixtures.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@wavemix/kernels-cpu';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nchwToNhwc } from '@wavemix/core/testing';
import type { WaveMixConfig } from '../config';
import { createModel } from '../create_model';
import { loadPyTorchWeights } from '../pytorch/bridge';
import { FIXTURE_ROOT, readBytes, readTensors, relativeError } from '../testing/fixtures';
import {
  INFERENCE_REWRITE_RULES,
  optimizeForInference,
  rewriteForInference,
  WaveMixInferenceGraphError,
  type RewriteRule,
} from './optimize';
import { load } from './predictor';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** gamma, beta, moving mean and variance of every BatchNorm drawn as fixture_common.py's randomise_batch_norm does. */
function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const n = layer.getWeights()[0]!.shape[0]!;
    const s = seed++ * 4;
    const draws: Record<string, () => tf.Tensor> = {
      gamma: () => tf.add(1, tf.mul(0.3, tf.randomNormal([n], 0, 1, 'float32', s))),
      beta: () => tf.mul(0.3, tf.randomNormal([n], 0, 1, 'float32', s + 1)),
      moving_mean: () => tf.mul(0.5, tf.randomNormal([n], 0, 1, 'float32', s + 2)),
      moving_variance: () => tf.add(0.25, tf.mul(1.5, tf.randomUniform([n], 0, 1, 'float32', s + 3))),
    };
    const values = tf.tidy(() => layer.weights.map((w) => draws[w.originalName.split('/').pop()!]!()));
    layer.setWeights(values);
    tf.dispose(values);
  }
}

const classCount = (model: tf.LayersModel, className: string) =>
  model.layers.filter((l) => l.getClassName() === className).length;

/** Output error of `optimized` against `model` relative to the output's max |value|. */
function outputError(model: tf.LayersModel, optimized: tf.LayersModel, x: tf.Tensor): number {
  const [expected, actual] = [model, optimized].map((m) => m.predict(x) as tf.Tensor);
  const error = relativeError(actual!.dataSync(), expected!.dataSync());
  tf.dispose([expected!, actual!]);
  return error;
}

interface Case {
  name: string;
  config: WaveMixConfig;
  input: [number, number, number, number];
  /** Feed-forward units: one BatchNorm and one Dropout each. */
  units: number;
  /** Concatenations the units read as their two parts (level >= 2), removed too. */
  concats?: number;
}

const CASES: Case[] = [
  {
    name: 'WaveMix-Lite level 1, ConvTranspose',
    config: {
      task: 'classification',
      numClasses: 10,
      depth: 2,
      mult: 2,
      finalDim: 16,
      ffChannel: 16,
      dropout: 0.5,
      level: 1,
      initialConv: 'strided',
      stride: 1,
      inputSize: [16, 16],
    },
    input: [2, 16, 16, 3],
    units: 2,
  },
  {
    name: 'WaveMix level 2, patchify stem (its BatchNorm follows a GELU and stays)',
    config: {
      task: 'classification',
      numClasses: 5,
      depth: 1,
      mult: 1,
      finalDim: 16,
      ffChannel: 8,
      dropout: 0.1,
      level: 2,
      initialConv: 'pachify',
      patchSize: 2,
      inputSize: [16, 16],
    },
    input: [1, 16, 16, 3],
    units: 2,
    concats: 1,
  },
  {
    name: 'WaveMix-Lite, nearest upsampling',
    config: {
      task: 'classification',
      numClasses: 10,
      depth: 3,
      mult: 2,
      finalDim: 8,
      ffChannel: 8,
      dropout: 0,
      level: 1,
      initialConv: 'strided',
      stride: 1,
      inChannels: 1,
      inputSize: [12, 10],
      upsample: 'nearest',
    },
    input: [2, 12, 10, 1],
    units: 3,
  },
  {
    name: 'WaveMix-Lite, bilinear upsampling',
    config: {
      task: 'classification',
      numClasses: 10,
      depth: 3,
      mult: 2,
      finalDim: 8,
      ffChannel: 8,
      dropout: 0,
      level: 1,
      initialConv: 'strided',
      stride: 1,
      inChannels: 1,
      inputSize: [12, 10],
      upsample: 'bilinear',
    },
    input: [2, 12, 10, 1],
    units: 3,
  },
  {
    name: 'WaveMixSR-V2 x2',
    config: { task: 'wavemix-sr-v2', scale: 2, blocks: 2, mult: 2, finalDim: 12, dropout: 0.3 },
    input: [1, 6, 8, 3],
    units: 2,
  },
  {
    name: 'WaveMixSR x2',
    config: { task: 'wavemix-sr', depth: 2, mult: 1, finalDim: 16, ffChannel: 16, dropout: 0.3 },
    input: [1, 6, 8, 3],
    units: 2,
  },
];

describe('optimizeForInference', () => {
  it.each(CASES)(
    '$name: same output, one BatchNorm and one Dropout fewer per unit',
    ({ config, input, units, concats = 0 }) => {
      const model = createModel(config);
      randomiseBatchNorm(model, 11);
      const { model: optimized, rewrites } = rewriteForInference(model);
      const x = tf.randomNormal(input, 0, 1, 'float32', 5);
      expect(outputError(model, optimized, x)).toBeLessThan(1e-5);
      // Per unit: Dropout and BatchNorm gone, and Conv1x1 -> GELU -> Conv1x1 one PointwiseMlp; and
      // each concatenation before a unit.
      expect(model.layers.length - optimized.layers.length).toBe(4 * units + concats);
      expect(classCount(optimized, 'Concatenate')).toBe(classCount(model, 'Concatenate') - concats);
      expect(classCount(optimized, 'PointwiseMlp')).toBe(units);
      expect(classCount(optimized, 'WaveMixDropout')).toBe(0);
      expect(classCount(model, 'BatchNormalization') - classCount(optimized, 'BatchNormalization')).toBe(units);
      const folded = rewrites.filter((r) => r.rule.startsWith('fold-')).reduce((sum, r) => sum + r.count, 0);
      expect(folded).toBe(units);
      // The parameters less the folded BatchNorms' four vectors (every conv here already had a bias).
      const gone = model.layers.filter(
        (l) => l.getClassName() === 'BatchNormalization' && !optimized.layers.some((o) => o.name === l.name),
      );
      const bnValues = gone.reduce((sum, l) => sum + l.countParams(), 0);
      expect(optimized.countParams()).toBe(model.countParams() - bnValues);
      expect(optimized.getUserDefinedMetadata()).toEqual(model.getUserDefinedMetadata());
      tf.dispose(x);
      optimized.dispose();
      model.dispose();
    },
  );

  it('folds through nearest and bilinear upsampling into the 1x1 conv before them', () => {
    for (const upsample of ['nearest', 'bilinear'] as const) {
      const model = createModel('mnist-wavemix-lite-8-10', { overrides: { upsample } });
      randomiseBatchNorm(model, 3);
      const { model: optimized, rewrites } = rewriteForInference(model);
      // Nearest models already run the BatchNorm before the upsampling (layers' feedForward), so
      // it folds straight into the conv; bilinear ones fold it through the upsampling.
      expect(rewrites).toEqual([
        { rule: 'remove-identity', count: 10 },
        { rule: 'fold-batchnorm-into-conv', count: upsample === 'nearest' ? 10 : 0 },
        { rule: 'fold-batchnorm-through-upsample2x', count: upsample === 'nearest' ? 0 : 10 },
        { rule: 'fuse-pointwise-mlp', count: 10 },
        { rule: 'read-concat-in-pointwise-mlp', count: 0 },
      ]);
      const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 9);
      expect(outputError(model, optimized, x)).toBeLessThan(1e-5);
      // The conv `.3` (ffChannel 8 -> 8) now carries the BatchNorm `.5`.
      const before = model.getLayer('layers.0.feedforward.3').getWeights()[0]!.dataSync()[0]!;
      const [gamma, , , variance] = model
        .getLayer('layers.0.feedforward.5')
        .getWeights()
        .map((w) => w.dataSync()[0]!);
      // ... inside the PointwiseMlp that replaced it: weights w1, b1, w2 (= `.3`'s kernel), b2.
      const after = optimized.getLayer('layers.0.feedforward.3').getWeights()[2]!.dataSync()[0]!;
      expect(after).toBeCloseTo((before * gamma!) / Math.sqrt(variance! + 1e-5), 6);
      tf.dispose(x);
      optimized.dispose();
      model.dispose();
    }
  });

  it('creates the bias of a conv that had none, for Conv2D and Conv2DTranspose', () => {
    const input = tf.input({ shape: [6, 6, 3] });
    let y = tf.layers
      .conv2d({ name: 'a', filters: 4, kernelSize: 3, useBias: false })
      .apply(input) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ name: 'a.bn', epsilon: 1e-3 }).apply(y) as tf.SymbolicTensor;
    y = tf.layers
      .conv2dTranspose({ name: 'b', filters: 5, kernelSize: 4, strides: 2, padding: 'same', useBias: false })
      .apply(y) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ name: 'b.bn', scale: false, center: false }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    randomiseBatchNorm(model, 21); // b.bn has only its moving statistics
    const optimized = optimizeForInference(model);
    expect(optimized.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Conv2D', 'Conv2DTranspose']);
    expect(
      optimized
        .getLayer('a')
        .getWeights()
        .map((w) => w.shape),
    ).toEqual([[3, 3, 3, 4], [4]]);
    expect(
      optimized
        .getLayer('b')
        .getWeights()
        .map((w) => w.shape),
    ).toEqual([[4, 4, 5, 4], [5]]);
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1);
    expect(outputError(model, optimized, x)).toBeLessThan(1e-5);
    tf.dispose(x);
    optimized.dispose();
    model.dispose();
  });

  it('leaves a BatchNorm alone when its conv feeds another layer too, has an activation, or is a model output', () => {
    const input = tf.input({ shape: [5, 5, 2] });
    const shared = tf.layers.conv2d({ name: 'shared', filters: 3, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const bn1 = tf.layers.batchNormalization({ name: 'bn1' }).apply(shared) as tf.SymbolicTensor;
    const relu = tf.layers.conv2d({ name: 'relu', filters: 3, kernelSize: 1, activation: 'relu' }).apply(shared);
    const bn2 = tf.layers.batchNormalization({ name: 'bn2' }).apply(relu) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([bn1, bn2]) as tf.SymbolicTensor;
    const out = tf.layers.conv2d({ name: 'out', filters: 2, kernelSize: 1 }).apply(sum) as tf.SymbolicTensor;
    const bn3 = tf.layers.batchNormalization({ name: 'bn3' }).apply(out) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [bn3, out] });
    randomiseBatchNorm(model, 31);
    const { model: optimized, rewrites } = rewriteForInference(model);
    expect(rewrites.map((r) => r.count)).toEqual([0, 0, 0, 0, 0]);
    expect(optimized.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    const x = tf.randomNormal([1, 5, 5, 2], 0, 1, 'float32', 2);
    const [a, b] = [model, optimized].map((m) => m.predict(x) as tf.Tensor[]);
    a!.forEach((t, i) => expect(relativeError(b![i]!.dataSync(), t.dataSync())).toBe(0));
    tf.dispose([x, ...a!, ...b!]);
    optimized.dispose();
    model.dispose();
  });

  it('runs a custom rule list: two Dense layers replaced by their product (replaceChain)', () => {
    const input = tf.input({ shape: [3] });
    const d1 = tf.layers.dense({ name: 'd1', units: 4 }).apply(input) as tf.SymbolicTensor;
    const d2 = tf.layers.dense({ name: 'd2', units: 2 }).apply(d1) as tf.SymbolicTensor;
    const head = tf.layers.activation({ name: 'head', activation: 'tanh' }).apply(d2) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: head });
    const product: RewriteRule = {
      name: 'dense-product',
      apply(graph) {
        const [first, second] = [graph.layer('d1')!, graph.layer('d2')!];
        const [k1, b1] = graph.weights('d1').map((w) => w.value);
        const [k2, b2] = graph.weights('d2').map((w) => w.value);
        const fused = { ...second, name: 'd12', config: { ...second.config, name: 'd12' } };
        graph.replaceChain([first, second], fused, [
          { name: 'kernel', value: tf.matMul(k1 as tf.Tensor2D, k2 as tf.Tensor2D) },
          { name: 'bias', value: tf.add(tf.matMul(tf.reshape(b1!, [1, 4]), k2 as tf.Tensor2D).reshape([2]), b2!) },
        ]);
        return 1;
      },
    };
    const { model: fused, rewrites } = rewriteForInference(model, { rules: [product] });
    expect(rewrites).toEqual([{ rule: 'dense-product', count: 1 }]);
    expect(fused.layers.map((l) => l.name)).toEqual([model.layers[0]!.name, 'd12', 'head']);
    const x = tf.tensor2d([
      [1, -2, 0.5],
      [0.25, 3, -1],
    ]);
    expect(outputError(model, fused, x)).toBeLessThan(1e-6);
    expect(() =>
      rewriteForInference(model, {
        rules: [
          {
            name: 'bad',
            apply: (g) => {
              g.replaceChain([g.layer('d2')!, g.layer('d1')!], g.layer('d1')!, []);
              return 1;
            },
          },
        ],
      }),
    ).toThrow(/d1: does not read d2 alone/);
    tf.dispose(x);
    fused.dispose();
    model.dispose();
  });

  it('refuses what is not a functional LayersModel, with a typed error', () => {
    const sequential = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    expect(() => optimizeForInference(sequential)).toThrow(WaveMixInferenceGraphError);
    expect(() => optimizeForInference(sequential)).toThrow(/needs a functional tf.LayersModel.*got a Sequential/);
    expect(() => optimizeForInference(null as unknown as tf.LayersModel)).toThrow(/got null/);
    sequential.dispose();
  });

  it('leaks nothing, and either model works after the other is disposed (the weights are copies)', () => {
    const config = CASES[0]!.config;
    const x = tf.randomNormal(CASES[0]!.input, 0, 1, 'float32', 3);
    const model = createModel(config);
    randomiseBatchNorm(model, 41);
    const reference = model.predict(x) as tf.Tensor;
    optimizeForInference(model).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) optimizeForInference(model).dispose();
    expect(tf.memory().numTensors).toBe(before);

    const optimized = optimizeForInference(model);
    // Training the source (a variable write) must not reach the optimized model.
    const kernel = model.getLayer('conv.0').getWeights()[0]!;
    model.getLayer('conv.0').setWeights([tf.zerosLike(kernel), model.getLayer('conv.0').getWeights()[1]!]);
    model.dispose();
    const out = optimized.predict(x) as tf.Tensor;
    expect(relativeError(out.dataSync(), reference.dataSync())).toBeLessThan(1e-5);
    optimized.dispose();
    tf.dispose([x, reference, out]);
  });
});

/** Every model fixture (top level and wavemix_lite_upsample/*) with its config in our camelCase. */
function fixtureDirs(): Array<{ name: string; dir: string; config: WaveMixConfig }> {
  const CAMEL: Record<string, string> = {
    num_classes: 'numClasses',
    ff_channel: 'ffChannel',
    final_dim: 'finalDim',
    initial_conv: 'initialConv',
    patch_size: 'patchSize',
    sr: 'scale',
  };
  const dirs = fs.readdirSync(FIXTURE_ROOT).flatMap((name) => {
    const dir = path.join(FIXTURE_ROOT, name);
    if (fs.existsSync(path.join(dir, 'config.json'))) return [name];
    if (!fs.statSync(dir).isDirectory()) return [];
    return fs.readdirSync(dir).map((sub) => `${name}/${sub}`);
  });
  return dirs
    .filter((name) => fs.existsSync(path.join(FIXTURE_ROOT, name, 'config.json')))
    .sort()
    .map((name) => {
      const dir = path.join(FIXTURE_ROOT, name);
      const raw = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      const config: Record<string, unknown> = { task: raw.model };
      for (const [key, value] of Object.entries(raw.pytorch_kwargs as object)) config[CAMEL[key] ?? key] = value;
      Object.assign(config, raw.wavemix_js_config);
      const [, channels, height, width] = raw.input_shape_nchw as number[];
      Object.assign(config, { inChannels: channels, inputSize: [height, width] });
      return { name, dir, config: config as unknown as WaveMixConfig };
    });
}

async function inMemory(model: tf.LayersModel): Promise<tf.io.IOHandler> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.io.fromMemory(saved!);
}

describe('load() runs the optimized model', () => {
  const fixtures = fixtureDirs();

  it('covers every fixture', () => {
    expect(fixtures.map((f) => f.name)).toEqual(
      expect.arrayContaining(['wavemix_lite_upsample/bilinear', 'wavemix_lite_upsample/nearest', 'wavemixsr_v2_x4']),
    );
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  it.each(fixtures)('$name: the official PyTorch output within 1e-4, with fewer layers', async ({ dir, config }) => {
    const source = createModel(config);
    loadPyTorchWeights(source, readBytes(path.join(dir, 'model.safetensors')));
    const predictor = await load(await inMemory(source));
    source.dispose();
    expect(predictor.inferenceModel).not.toBe(predictor.model);
    expect(classCount(predictor.inferenceModel, 'WaveMixDropout')).toBe(0);
    expect(predictor.inferenceModel.layers.length).toBeLessThan(predictor.model.layers.length);
    const io = readTensors(path.join(dir, 'io.safetensors'));
    const x = io.get('x')!;
    const y = io.get('y')!;
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const input = tf.tensor4d(nchwToNhwc(x.data, x.shape), [n, h, w, c]);
    const output = predictor.inferenceModel.predict(input) as tf.Tensor;
    const expected = y.shape.length === 4 ? nchwToNhwc(y.data, y.shape) : y.data;
    expect(relativeError(output.dataSync(), expected)).toBeLessThan(1e-4);
    tf.dispose([input, output]);
    predictor.dispose();
  });

  it('keeps the original model as predictor.model, honours optimize: false, and disposes both', async () => {
    const config = CASES[0]!.config;
    const source = createModel(config);
    const handler = await inMemory(source);
    source.dispose();
    const before = tf.memory().numTensors;
    const plain = await load(handler, { optimize: false });
    expect(plain.inferenceModel).toBe(plain.model);
    plain.dispose();
    // All rules on request: BatchNorm folded as well.
    const folded = await load(handler, { optimize: INFERENCE_REWRITE_RULES });
    expect(classCount(folded.inferenceModel, 'BatchNormalization')).toBeLessThan(
      classCount(folded.model, 'BatchNormalization'),
    );
    expect(folded.model.layers.length - folded.inferenceModel.layers.length).toBe(8);
    folded.dispose();
    // The default (LOAD_REWRITE_RULES) folds no BatchNorm into a conv (that would copy its kernel):
    // each unit's bias, BatchNorm and residual Add become one ChannelAffine instead.
    const predictor = await load(handler);
    const units = classCount(predictor.model, 'BatchNormalization');
    expect(classCount(predictor.inferenceModel, 'BatchNormalization')).toBe(0);
    expect(classCount(predictor.inferenceModel, 'ChannelAffine')).toBe(units);
    expect(classCount(predictor.inferenceModel, 'Add')).toBe(classCount(predictor.model, 'Add') - units);
    for (const layer of predictor.inferenceModel.layers.filter((l) => l.getClassName() === 'Conv2DTranspose')) {
      // The source's kernel itself (the same data), not a copy.
      expect(layer.getWeights()[0]!.dataId).toBe(predictor.model.getLayer(layer.name).getWeights()[0]!.dataId);
    }
    expect(classCount(predictor.inferenceModel, 'WaveMixDropout')).toBe(0);
    expect(predictor.inferenceModel.layers.length).toBeLessThan(predictor.model.layers.length);
    const image = { data: new Uint8Array(16 * 16 * 3).fill(77), width: 16, height: 16 };
    await predictor.classify(image, 2);
    const during = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await predictor.classify(image, 2);
    expect(tf.memory().numTensors).toBe(during);
    predictor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
