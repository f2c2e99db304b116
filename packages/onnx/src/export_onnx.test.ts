import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createModel, loadPyTorchWeights } from '@wavemix/models';
import { modelFixtures, readBytes, readTensors, relativeError } from '../../models/src/testing/fixtures';
import { exportOnnx } from './export_onnx';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function runOrt(bytes: Uint8Array, x: Float32Array, shape: number[], level: 'disabled' | 'all' = 'all') {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level });
  const result = await session.run({ input: new ort.Tensor('float32', x, shape) });
  const output = result['output']!;
  await session.release();
  return { data: output.data as Float32Array, dims: [...output.dims] };
}

describe('exportOnnx: the PyTorch fixtures in onnxruntime-node', () => {
  it.each(modelFixtures().map((f) => [f.name, f] as const))('%s matches the official output', async (_, fixture) => {
    const model = createModel(fixture.config);
    loadPyTorchWeights(model, readBytes(path.join(fixture.dir, 'model.safetensors')));
    const io = readTensors(path.join(fixture.dir, 'io.safetensors'));
    const x = io.get('x')!;
    const y = io.get('y')!;
    const bytes = await exportOnnx(model);
    for (const level of ['all', 'disabled'] as const) {
      const out = await runOrt(bytes, x.data, x.shape, level);
      expect(out.dims).toEqual(y.shape);
      expect(relativeError(out.data, y.data)).toBeLessThan(1e-4);
    }
    model.dispose();
  });
});
