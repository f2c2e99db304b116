import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as path from 'node:path';
import { nchwToNhwc } from '@wavemix/core/testing';
import { createModel } from '../create_model';
import { getWaveMixMetadata, setWaveMixMetadata } from '../metadata';
import { exportPyTorchWeights, loadPyTorchWeights } from '../pytorch/bridge';
import { getModelInfo } from '../registry';
import { modelFixtures, readBytes, readTensors } from '../testing/fixtures';
import { load, WaveMixPredictor } from './predictor';
import { yCbCrToRgb } from './image';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fixture = (name: string) => modelFixtures().find((f) => f.name === name)!;

async function inMemory(model: tf.LayersModel): Promise<tf.io.IOHandler> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.io.fromMemory(saved!);
}

/** A predictor on an official fixture model whose preprocessing passes the fixture's input through unchanged. */
async function fixturePredictor(name: string, classNames?: string[]) {
  const f = fixture(name);
  const model = createModel(f.config, classNames ? { classNames } : {});
  loadPyTorchWeights(model, readBytes(path.join(f.dir, 'model.safetensors')));
  const metadata = getWaveMixMetadata(model)!;
  const channels = metadata.config.inChannels;
  // image / 255 then (x - 0) / (1/255) = image: the fixture input goes in as is.
  setWaveMixMetadata(model, {
    ...metadata,
    preprocessing: { colorSpace: 'rgb', mean: new Array(channels).fill(0), std: new Array(channels).fill(1 / 255) },
  });
  const predictor = await load(await inMemory(model));
  const io = readTensors(path.join(f.dir, 'io.safetensors'));
  return { predictor, io };
}

function softmax(logits: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(logits));
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
}

describe('load + classify', () => {
  it('returns the official model probabilities, most probable first, with class names', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `label-${i}`);
    const { predictor, io } = await fixturePredictor('wavemix_lite_l1_strided_s1', names);
    const x = io.get('x')!;
    const [, c, h, w] = x.shape as number[];
    const first = tf.tensor3d(nchwToNhwc(x.data, x.shape).subarray(0, h! * w! * c!), [h!, w!, c!]);
    const result = await predictor.classify(first, 3);
    const expected = softmax(io.get('y')!.data.subarray(0, 10))
      .map((probability, index) => ({ className: `label-${index}`, probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 3);
    expect(result.map((r) => r.className)).toEqual(expected.map((e) => e.className));
    result.forEach((r, i) => expect(Math.abs(r.probability - expected[i]!.probability)).toBeLessThan(1e-5));
    expect((await predictor.classify(first, 100)).length).toBe(10);
    first.dispose();
    predictor.dispose();
  });

  it('accepts {data, width, height} pixels (RGBA, RGB, grey) like the equivalent tensor', async () => {
    const model = createModel('fashion-mnist-wavemix-lite-8-5');
    const predictor = new WaveMixPredictor(model, getWaveMixMetadata(model)!);
    const grey = Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 37) % 256);
    const rgba = new Uint8ClampedArray(28 * 28 * 4);
    grey.forEach((v, i) => rgba.set([v, v, v, 255], 4 * i));
    const fromGrey = await predictor.classify({ data: grey, width: 28, height: 28 }, 10);
    const fromRgba = await predictor.classify({ data: rgba, width: 28, height: 28 }, 10);
    const fromTensor = await predictor.classify(tf.tensor3d(grey, [28, 28, 1], 'int32'), 10);
    expect(fromRgba.map((r) => r.className)).toEqual(fromGrey.map((r) => r.className));
    fromRgba.forEach((r, i) => expect(Math.abs(r.probability - fromGrey[i]!.probability)).toBeLessThan(1e-6));
    fromTensor.forEach((r, i) => expect(Math.abs(r.probability - fromGrey[i]!.probability)).toBeLessThan(1e-6));
    expect(fromGrey[0]!.className).toMatch(
      /^(T-shirt\/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot)$/,
    );
    expect(() => predictor.preprocess({ data: new Uint8Array(10), width: 28, height: 28 })).toThrow(
      /10 values do not make a 28x28 image/,
    );
    predictor.dispose();
  });
});

describe('segment', () => {
  it('labels every pixel with the official model argmax', async () => {
    const { predictor, io } = await fixturePredictor('segment_l2_s2');
    const x = io.get('x')!;
    const [, c, h, w] = x.shape as [number, number, number, number];
    const result = await predictor.segment(tf.tensor3d(nchwToNhwc(x.data, x.shape), [h, w, c]));
    expect([result.height, result.width, result.numClasses]).toEqual([32, 48, 5]);
    const y = io.get('y')!.data; // (1, 5, 32, 48)
    let agree = 0;
    for (let p = 0; p < h * w; p++) {
      let best = 0;
      for (let k = 1; k < 5; k++) if (y[k * h * w + p]! > y[best * h * w + p]!) best = k;
      if (result.labels[p] === best) agree++;
    }
    expect(agree).toBe(h * w);
    // Other image sizes are resized to the model's input and the map back to the image.
    const other = await predictor.segment({ data: new Uint8Array(20 * 30 * 3).fill(100), width: 30, height: 20 });
    expect([other.height, other.width, other.labels.length]).toEqual([20, 30, 600]);
    predictor.dispose();
  });
});

describe('upscale', () => {
  it('doubles the image and returns RGBA pixels', async () => {
    const model = createModel({ task: 'sisr', depth: 1, finalDim: 8, ffChannel: 8 });
    const predictor = await load(await inMemory(model));
    const result = await predictor.upscale({ data: new Uint8Array(6 * 10 * 3).fill(128), width: 10, height: 6 });
    expect([result.width, result.height, result.data.length]).toEqual([20, 12, 20 * 12 * 4]);
    expect(result.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
    await expect(predictor.upscale({ data: new Uint8Array(5 * 10 * 3), width: 10, height: 5 })).rejects.toThrow(
      /height 5 is not divisible by 2/,
    );
    predictor.dispose();
  });
});

describe('upscale with WaveMixSR', () => {
  it('converts RGB to YCbCr and back around the official model', async () => {
    const f = fixture('wavemixsr_l1');
    const model = createModel(f.config);
    loadPyTorchWeights(model, readBytes(path.join(f.dir, 'model.safetensors')));
    const predictor = await load(await inMemory(model));
    expect(predictor.metadata.preprocessing.colorSpace).toBe('ycbcr');
    const io = readTensors(path.join(f.dir, 'io.safetensors'));
    const x = io.get('x')!;
    const y = io.get('y')!;
    const [, , h, w] = x.shape as number[];
    // An RGB image whose YCbCr / 255 is the fixture input, and the expected RGBA bytes of the fixture output.
    const rgb = tf.tidy(
      () => yCbCrToRgb(tf.mul(tf.tensor3d(nchwToNhwc(x.data, x.shape), [h!, w!, 3]), 255)) as tf.Tensor3D,
    );
    const expected = tf.tidy(() =>
      tf
        .round(
          tf.mul(
            tf.clipByValue(yCbCrToRgb(tf.tensor3d(nchwToNhwc(y.data, y.shape), [2 * h!, 2 * w!, 3]), 1), 0, 1),
            255,
          ),
        )
        .dataSync(),
    );
    const result = await predictor.upscale(rgb);
    expect([result.width, result.height]).toEqual([2 * w!, 2 * h!]);
    let worst = 0;
    for (let p = 0; p < 4 * h! * w!; p++)
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(result.data[4 * p + c]! - expected[3 * p + c]!));
    expect(worst).toBeLessThanOrEqual(1);
    rgb.dispose();
    predictor.dispose();
  });
});

describe('load', () => {
  it('builds a registry model and fetches its published checkpoint', async () => {
    const info = getModelInfo('cifar10-wavemix-lite-144-7');
    const source = createModel(info.name);
    const checkpoint = exportPyTorchWeights(source);
    const requested: string[] = [];
    const predictor = await load(info.name, {
      fetch: async (url) => {
        requested.push(url);
        return { ok: true, status: 200, arrayBuffer: async () => checkpoint.slice().buffer };
      },
    });
    expect(requested).toEqual([info.weightsUrl]);
    expect(Array.from(predictor.model.getLayer('pool.2').getWeights()[1]!.dataSync())).toEqual(
      Array.from(source.getLayer('pool.2').getWeights()[1]!.dataSync()),
    );
    expect(predictor.metadata.classNames).toContain('airplane');
    predictor.dispose();
    source.dispose();
  });

  it('explains what is missing', async () => {
    await expect(load('sisr-wavemix-144-4')).rejects.toThrow(/has no published checkpoint; pass options.weights/);
    await expect(load('not-a-model')).rejects.toThrow(/neither a registry name \(listModels\(\)\) nor a URL/);
    await expect(
      load('cifar10-wavemix-lite-144-7', {
        fetch: async () => ({ ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) }),
      }),
    ).rejects.toThrow(/HTTP 404/);
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    await expect(load(await inMemory(plain))).rejects.toThrow(/no WaveMix metadata/);
  });

  it('refuses images it cannot turn into the model input', async () => {
    const model = createModel({
      task: 'classification',
      depth: 1,
      finalDim: 8,
      ffChannel: 8,
      numClasses: 2,
      level: 1,
      initialConv: 'strided',
      stride: 1,
      inChannels: 4,
      inputSize: [8, 8],
    });
    const predictor = new WaveMixPredictor(model, getWaveMixMetadata(model)!);
    await expect(predictor.classify(tf.zeros([8, 8, 3]) as tf.Tensor3D)).rejects.toThrow(
      /gives 3 channels but the model takes 4/,
    );
    expect(() => predictor.preprocess(tf.zeros([2, 8, 8, 3]) as tf.Tensor4D)).toThrow(/must hold one image/);
    predictor.dispose();
  });

  it('refuses the wrong method and use after dispose', async () => {
    const predictor = await load('sisr-wavemix-144-4', { weights: null });
    await expect(predictor.classify(tf.zeros([8, 8, 3]) as tf.Tensor3D)).rejects.toThrow(
      /classify\(\) needs a classification model; this one is 'sisr'/,
    );
    predictor.dispose();
    await expect(predictor.upscale(tf.zeros([8, 8, 3]) as tf.Tensor3D)).rejects.toThrow(/disposed/);
  });

  it('is tidy: repeated calls keep the tensor count', async () => {
    const small = { depth: 1, finalDim: 8, ffChannel: 8, level: 1 } as const;
    const predictor = (config: Parameters<typeof createModel>[0]) => {
      const model = createModel(config);
      return new WaveMixPredictor(model, getWaveMixMetadata(model)!);
    };
    const segmenter = predictor({ task: 'segmentation', ...small, numClasses: 3, inputSize: [16, 16] });
    const classifier = predictor({
      task: 'classification',
      ...small,
      numClasses: 3,
      initialConv: 'strided',
      stride: 1,
      inputSize: [16, 16],
    });
    const upscaler = predictor({ task: 'sisr', ...small });
    const image = { data: new Uint8Array(16 * 16 * 4).fill(9), width: 16, height: 16 };
    const all = async () => {
      await segmenter.segment(image);
      await classifier.classify(image, 2);
      await upscaler.upscale(image);
      await segmenter.warmup();
    };
    await all();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await all();
    expect(tf.memory().numTensors).toBe(before);
    [segmenter, classifier, upscaler].forEach((p) => p.dispose());
  });
});
