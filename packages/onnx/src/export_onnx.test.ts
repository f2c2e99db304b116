import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as path from 'node:path';
import { createModel, getWaveMixMetadata, loadPyTorchWeights } from '@wavemix/models';
import { WaveMixError } from '@wavemix/core';
import { WaveMixOnnxUnsupportedLayerError } from './errors';
import { exportOnnx } from './export_onnx';
import { ONNX_METADATA_KEY } from './metadata';
import {
  allModelFixtures,
  decode,
  nhwcToNchw,
  opCounts,
  randomArray,
  randomizeBatchNorm,
  readBytes,
  readTensors,
  relativeError,
  runOrt,
  seeded,
} from './testing/helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fixtures = allModelFixtures();

function fixtureModel(name: string) {
  const fixture = fixtures.find((f) => f.name === name)!;
  const model = createModel(fixture.config);
  loadPyTorchWeights(model, readBytes(path.join(fixture.dir, 'model.safetensors')));
  const io = readTensors(path.join(fixture.dir, 'io.safetensors'));
  return { model, x: io.get('x')!, y: io.get('y')! };
}

describe('exportOnnx: the official PyTorch outputs, in onnxruntime-node', () => {
  it.each(fixtures.map((f) => [f.name]))(
    '%s: equal within 1e-4, graph optimizations on and off, BatchNorm folded or not',
    async (name) => {
      const { model, x, y } = fixtureModel(name);
      for (const foldBatchNorm of [true, false]) {
        const bytes = await exportOnnx(model, { foldBatchNorm });
        for (const level of ['all', 'disabled'] as const) {
          const out = await runOrt(bytes, x.data, x.shape, level);
          expect(out.dims).toEqual(y.shape);
          expect(relativeError(out.data, y.data)).toBeLessThan(1e-4);
        }
      }
      model.dispose();
    },
  );
});

describe('exportOnnx: a registry model of each task equals its tfjs model', () => {
  // No PyTorch reference exists for these (untrained) configurations; tfjs itself matches PyTorch on the fixtures.
  const cases: Array<[string, Record<string, unknown>, [number, number, number, number]]> = [
    ['fashion-mnist-wavemix-lite-8-5', {}, [2, 28, 28, 1]],
    ['cityscapes-wavemix-192-16-decoder', { inputSize: [32, 64] }, [1, 32, 64, 3]],
    ['sisr-wavemix-144-4', {}, [1, 12, 16, 3]],
    ['wavemixsr-144-4', {}, [1, 10, 14, 3]],
  ];
  it.each(cases)(
    '%s',
    async (name, overrides, shape) => {
      const model = createModel(name, { overrides });
      randomizeBatchNorm(model, 7);
      const x = randomArray(
        shape.reduce((a, b) => a * b),
        seeded(3),
        0,
        1,
      );
      const expected = tf.tidy(() => {
        const y = model.predict(tf.tensor4d(x, shape)) as tf.Tensor;
        return y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y;
      });
      const bytes = await exportOnnx(model);
      const [n, h, w, c] = shape;
      const out = await runOrt(bytes, nhwcToNchw(x, shape), [n, c, h, w]);
      expect(out.dims).toEqual(expected.shape);
      expect(relativeError(out.data, expected.dataSync())).toBeLessThan(1e-4);
      expected.dispose();
      model.dispose();
    },
    180_000,
  );
});

describe('exportOnnx: the graph', () => {
  it('has torch.onnx.export’s interface: input NCHW named input, dynamic batch, output logits, opset 17, metadata', async () => {
    const { model } = fixtureModel('wavemix_l3_patchify_p4');
    const proto = decode(await exportOnnx(model));
    expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    const graph = proto.graph!;
    const dims = (v: (typeof graph.input)[number]) =>
      v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(graph.input.map((v) => [v.name, dims(v)])).toEqual([['input', ['batch', 3, 32, 32]]]);
    expect(graph.output.map((v) => [v.name, dims(v)])).toEqual([['output', ['batch', 7]]]);
    const metadata = JSON.parse(proto.metadataProps.find((p) => p.key === ONNX_METADATA_KEY)!.value!);
    expect(metadata).toEqual(JSON.parse(JSON.stringify(getWaveMixMetadata(model))));
    expect(metadata.config.task).toBe('classification');
    model.dispose();
  });

  it('uses standard ops only, no Transpose; the Haar DWT is grouped 2x2 stride-2 Conv; GELU is exact (Erf)', async () => {
    const { model } = fixtureModel('wavemix_l3_patchify_p4');
    const bytes = await exportOnnx(model);
    const counts = opCounts(bytes);
    // Conv: stem 3, per block reduction + 3 FF x 2 convs + 3 levels x (LL, highs) Haar; Add: one per GELU, one per residual.
    expect(counts).toEqual({
      Conv: 3 + 2 * (1 + 3 * 2 + 3 * 2),
      ConvTranspose: 2 * 3,
      Concat: 2 * 3 + 2 * 2,
      Erf: 1 + 2 * 3,
      Div: 1 + 2 * 3,
      Add: 1 + 2 * 3 + 2,
      Mul: 2 * (1 + 2 * 3),
      BatchNormalization: 1,
      GlobalAveragePool: 1,
      Flatten: 1,
      Gemm: 1,
    });
    const haar = decode(bytes).graph!.node.filter((n) => n.opType === 'Conv' && n.name!.includes('dwt'));
    expect(haar).toHaveLength(2 * 3 * 2);
    const attribute = (n: (typeof haar)[number], key: string) => n.attribute!.find((a) => a.name === key);
    for (const node of haar) {
      expect(attribute(node, 'strides')!.ints!.map(Number)).toEqual([2, 2]);
      expect(attribute(node, 'kernel_shape')!.ints!.map(Number)).toEqual([2, 2]);
      expect(Number(attribute(node, 'group')!.i)).toBe(4); // reduction to c/4 = 4 channels
    }
    model.dispose();
  });

  it('writes bicubic 2x as Resize (cubic, a = -0.75, half_pixel) and ChannelSlice as Slice', async () => {
    const { model } = fixtureModel('wavemixsr_l1');
    const graph = decode(await exportOnnx(model)).graph!;
    const resize = graph.node.filter((n) => n.opType === 'Resize');
    expect(resize).toHaveLength(2);
    const attributes = Object.fromEntries(
      resize[0]!.attribute!.map((a) => [a.name, a.s?.length ? new TextDecoder().decode(a.s) : a.f]),
    );
    expect(attributes).toMatchObject({
      mode: 'cubic',
      coordinate_transformation_mode: 'half_pixel',
      cubic_coeff_a: -0.75,
    });
    expect(graph.node.filter((n) => n.opType === 'Slice')).toHaveLength(2);
    expect(graph.node.some((n) => n.opType === 'Transpose')).toBe(false);
    model.dispose();
  });

  it('takes any batch size (dynamic batch dimension)', async () => {
    const { model, x, y } = fixtureModel('segment_l2_s2');
    const bytes = await exportOnnx(model);
    const three = new Float32Array(3 * x.data.length);
    for (let i = 0; i < 3; i++) three.set(x.data, i * x.data.length);
    const out = await runOrt(bytes, three, [3, ...x.shape.slice(1)]);
    expect(out.dims).toEqual([3, ...y.shape.slice(1)]);
    for (let i = 0; i < 3; i++)
      expect(relativeError(out.data.subarray(i * y.data.length, (i + 1) * y.data.length), y.data)).toBeLessThan(1e-4);
    model.dispose();
  });

  it('writes the requested opset, and folding removes every BatchNormalization after a conv', async () => {
    const { model, x, y } = fixtureModel('wavemix_lite_l1_strided_s1');
    for (const opset of [13, 21]) {
      const bytes = await exportOnnx(model, { opset });
      expect(Number(decode(bytes).opsetImport[0]!.version)).toBe(opset);
      expect(relativeError((await runOrt(bytes, x.data, x.shape)).data, y.data)).toBeLessThan(1e-4);
    }
    expect(opCounts(await exportOnnx(model))['BatchNormalization']).toBeUndefined();
    expect(opCounts(await exportOnnx(model, { foldBatchNorm: false }))['BatchNormalization']).toBe(3);
    await expect(exportOnnx(model, { opset: 12 })).rejects.toThrow(/opset: must be an integer from 13 to 21, got 12/);
    model.dispose();
  });

  it('reads the weights without changing them or leaking tensors', async () => {
    const { model } = fixtureModel('wavemix_lite_l1_strided_s1');
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const tensors = tf.memory().numTensors;
    await exportOnnx(model);
    await exportOnnx(model, { foldBatchNorm: false });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    model.dispose();
  });

  it('refuses a layer it cannot map, naming the layer and its class', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const pooled = tf.layers.maxPooling2d({ name: 'my_pool', poolSize: 2 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: pooled });
    const error = await exportOnnx(model).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaveMixOnnxUnsupportedLayerError);
    expect(error).toBeInstanceOf(WaveMixError);
    expect(error).toMatchObject({ layerName: 'my_pool', className: 'MaxPooling2D' });
    expect((error as Error).message).toMatch(/^layer 'my_pool' \(MaxPooling2D\): no ONNX mapping/);
    model.dispose();
  });
});
