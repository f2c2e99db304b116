import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-node';
import { createModel } from '@wavemix/models';
import { checkOnnxModel } from './check_model';
import { exportOnnx } from './export_onnx';
import { onnx } from './proto';
import { decode } from './testing/helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const configs = {
  classification: {
    task: 'classification',
    numClasses: 4,
    depth: 1,
    finalDim: 8,
    ffChannel: 8,
    level: 2,
    initialConv: 'pachify',
    patchSize: 2,
    inputSize: [16, 16],
  },
  segmentation: { task: 'segmentation', numClasses: 3, depth: 1, finalDim: 8, ffChannel: 8, level: 2, stride: 2 },
  sisr: { task: 'sisr', depth: 1, finalDim: 8, ffChannel: 8 },
  'wavemix-sr': { task: 'wavemix-sr', depth: 1, finalDim: 8, ffChannel: 8 },
} as const;

describe('checkOnnxModel', () => {
  it.each(Object.entries(configs))(
    'passes the %s export, folded or not, and onnxruntime loads it with and without optimizations',
    async (_, config) => {
      const model = createModel(config as never);
      for (const foldBatchNorm of [true, false]) {
        const bytes = await exportOnnx(model, { foldBatchNorm });
        expect(checkOnnxModel(bytes)).toEqual([]);
        for (const level of ['disabled', 'basic', 'all'] as const) {
          const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level });
          expect(session.inputNames).toEqual(['input']);
          await session.release();
        }
      }
      model.dispose();
    },
  );

  it('finds what a broken graph gets wrong', async () => {
    const model = createModel(configs.sisr as never);
    const proto = decode(await exportOnnx(model));
    model.dispose();
    const graph = proto.graph!;
    proto.opsetImport = [
      { domain: '', version: 99 },
      { domain: '', version: 17 },
    ];
    graph.node.reverse(); // the last node now comes first: its input is not produced yet
    graph.valueInfo.shift();
    graph.initializer[0]!.dims = [12345];
    graph.input[0]!.type = {};
    const problems = checkOnnxModel(onnx.ModelProto.encode(proto).finish());
    const first = graph.node[0]!;
    expect(problems).toEqual(
      expect.arrayContaining([
        'opset 99 of the default domain is not a released opset <= 21',
        "opset_import lists domain '' twice",
        `node 0 (${first.opType} '${first.name}') uses '${first.input![0]}' before anything produces it`,
        expect.stringMatching(/^node \d+ \(.*\): output '.*' has no type \(value_info\)$/),
        expect.stringMatching(
          new RegExp(
            `^initializer '${graph.initializer[0]!.name!.replace(/\./g, '\\.')}' holds \\d+ bytes for dims \\[12345\\]$`,
          ),
        ),
        "graph input 'input' has no tensor element type",
      ]),
    );
    expect(checkOnnxModel(Uint8Array.of(0xff, 0xff, 0xff))[0]).toMatch(/^not a ModelProto/);
    const lenient = checkOnnxModel(onnx.ModelProto.encode(proto).finish(), { requireValueInfo: false });
    expect(lenient.some((p) => p.includes('value_info'))).toBe(false);
    expect(lenient.length).toBe(problems.length - 1);
  });
});
