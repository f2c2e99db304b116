// The webgpu Mean and Sum gradients: the values of tfjs's own gradients (computed on cpu),
// without the host-filled tensors of ones that tfjs's gradients upload at every step.
import './node_webgpu_setup';
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { registerWebGPUTrainingGradients, restoreStockWebGPUGradients } from './gradients';
import './index';

interface BackendInternals {
  tensorMap: { get(dataId: object): { values: unknown; resource: unknown; shape: number[] } };
  uploadToGPU(dataId: object): void;
}

beforeAll(async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
  await tf.ready();
  tf.env().set('WEBGPU_CPU_FORWARD', false); // small host tensors would run on the CPU
});

afterAll(() => {
  tf.env().set('WEBGPU_CPU_FORWARD', true);
  tf.removeBackend('webgpu');
});

function input(shape: number[]): Float32Array {
  let state = 11;
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
}

/** d/dx sum(w * mean(x, axes)) with fixed weights w (Sum's gradient, then Mean's), and the bytes uploaded from the host meanwhile. */
async function meanGrad(backend: string, shape: number[], axes: number[]) {
  await tf.setBackend(backend);
  const x = tf.tensor(input(shape), shape);
  const kept = shape.filter((_, i) => !axes.includes(i));
  const w = tf.tensor(
    input(kept).map((v) => v * 3),
    kept,
  );
  await Promise.all([tf.add(x, 0).data(), tf.add(w, 0).data()]); // both on the device
  let uploaded = 0;
  const gpu = backend === 'webgpu' ? (tf.backend() as unknown as BackendInternals) : null;
  if (gpu) {
    const upload = gpu.uploadToGPU.bind(gpu);
    gpu.uploadToGPU = (dataId) => {
      const data = gpu.tensorMap.get(dataId);
      if (data.resource == null && data.values != null) uploaded += 4 * data.shape.reduce((a, b) => a * b, 1);
      upload(dataId);
    };
  }
  const tensors = tf.memory().numTensors;
  const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, axes), w)))(x);
  const values = await dx.data();
  if (gpu) delete (gpu as Partial<BackendInternals>).uploadToGPU;
  dx.dispose();
  expect(tf.memory().numTensors).toBe(tensors);
  tf.dispose([x, w]);
  return { values, uploaded };
}

test.each([
  ['batch-norm statistics', [8, 14, 14, 24], [0, 1, 2]],
  ['global average pool', [8, 14, 14, 24], [1, 2]],
  ['a middle axis', [6, 50, 10], [1]],
])(
  'Mean and Sum gradients over %s: tfjs values, no host-filled ones',
  async (_, shape, axes) => {
    const cpu = await meanGrad('cpu', shape as number[], axes as number[]);
    const gpu = await meanGrad('webgpu', shape as number[], axes as number[]);
    expect(Array.from(gpu.values)).toEqual(Array.from(cpu.values));
    // Hand check: every x element gets w[kept index] / n.
    const dims = shape as number[];
    const n = (axes as number[]).reduce((p, a) => p * dims[a]!, 1);
    const w0 = input(dims.filter((__, i) => !(axes as number[]).includes(i)))[0]! * 3;
    expect(gpu.values[0]).toBeCloseTo(w0 / n, 6);
    // Only scalars: tf.grad's seed dy = ones([]) and Mean's divisor. tfjs's gradients would add
    // x.size * 4 bytes of ones (Mean) and 4 bytes per element of w (the Sum of the product).
    expect(gpu.uploaded).toBe(8);
  },
  60_000,
);

test('registering again wraps nothing; restoring puts the stock gradients back, and they upload ones', async () => {
  expect(registerWebGPUTrainingGradients()).toEqual([]);
  expect(restoreStockWebGPUGradients()).toEqual(['Mean', 'Sum']);
  try {
    const stock = await meanGrad('webgpu', [6, 50, 10], [1]);
    // The seed, then ones([6, 10]) for the Sum, ones([6, 50, 10]) and the divisor for the Mean.
    expect(stock.uploaded).toBe(4 + 4 * 60 + 4 * 3000 + 4);
  } finally {
    expect(registerWebGPUTrainingGradients()).toEqual(['Mean', 'Sum']);
  }
});
