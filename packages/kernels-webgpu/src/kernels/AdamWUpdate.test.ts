// The fused AdamW step on webgpu (Dawn, SwiftShader here) against the formula in float64 and
// against @wavemix/models' AdamW on the cpu backend (the composite path), over several steps;
// plus what it was made for: 3 dispatches per variable, no scalar uploads, no new pipelines.
import '../node_webgpu_setup';
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { AdamWUpdate } from '@wavemix/core';
import { AdamW } from '@wavemix/models/training';
import '../index';

beforeAll(async () => {
  expect(await tf.setBackend('webgpu')).toBe(true);
  await tf.ready();
});

afterAll(() => tf.removeBackend('webgpu'));

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  let state = seed;
  return Float32Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * scale;
  });
}

const hyper = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, learningRate: 3e-3, weightDecay: 0.01 };

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

// 1030 elements take the scalar programs, 1024 the vec4 ones.
test.each([1030, 1024])('one step of %i elements equals the float64 formula', async (n) => {
  const step = 3;
  const [p, g, m] = [values(n, 1), values(n, 2, 0.5), values(n, 3, 0.1)];
  const v = values(n, 4, 0.01).map(Math.abs);
  const attrs = { ...hyper, correction1: 1 - hyper.beta1 ** step, correction2: 1 - hyper.beta2 ** step };
  const inputs = { param: tf.tensor1d(p), gradient: tf.tensor1d(g), m: tf.tensor1d(m), v: tf.tensor1d(v) };
  const outputs = tf.engine().runKernel(AdamWUpdate, inputs, attrs) as tf.Tensor[];
  const [m1, v1, p1] = await Promise.all(outputs.map((t) => t.data()));
  const expected = { m: new Float64Array(n), v: new Float64Array(n), p: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    expected.m[i] = hyper.beta1 * m[i]! + (1 - hyper.beta1) * g[i]!;
    expected.v[i] = hyper.beta2 * v[i]! + (1 - hyper.beta2) * g[i]! * g[i]!;
    const update = expected.m[i]! / attrs.correction1 / (Math.sqrt(expected.v[i]! / attrs.correction2) + hyper.epsilon);
    expected.p[i] = p[i]! * (1 - hyper.learningRate * hyper.weightDecay) - hyper.learningRate * update;
  }
  // float32 rounding of values of size <= 1: a few ulps.
  expect(maxDifference(m1!, expected.m)).toBeLessThan(2e-7);
  expect(maxDifference(v1!, expected.v)).toBeLessThan(2e-8);
  expect(maxDifference(p1!, expected.p)).toBeLessThan(5e-7);
  // Not a no-op: the parameter moved by about lr per element.
  expect(maxDifference(p1!, p)).toBeGreaterThan(1e-3);
  tf.dispose([...Object.values(inputs), ...outputs]);
});

test('a parameter of another shape is refused with its name and shape', () => {
  const inputs = { param: tf.zeros([4, 4]), gradient: tf.zeros([16]), m: tf.zeros([4, 4]), v: tf.zeros([4, 4]) };
  const attrs = { ...hyper, correction1: 0.1, correction2: 0.001 };
  expect(() => tf.engine().runKernel(AdamWUpdate, inputs, attrs)).toThrow(/gradient.*\[4, 4\].*float32 \[16\]/);
  tf.dispose(Object.values(inputs));
});

interface Run {
  weights: Float32Array[];
  /** Steps 2 and 3 (step 1 also creates the moment slots). */
  dispatchesPerStep: number[];
  hostUploadsPerStep: number[];
}

interface BackendInternals {
  tensorMap: { get(dataId: object): { values: unknown; resource: unknown } };
  uploadToGPU(dataId: object): void;
  runWebGPUProgram(...args: unknown[]): unknown;
  pipelineCache: object;
}

/** Three AdamW steps on a [3, 3, 4, 8] kernel and a [10] bias with fixed gradients, on `backend`. */
async function threeSteps(backend: string): Promise<Run> {
  await tf.setBackend(backend);
  const kernel = tf.variable(tf.tensor4d(values(288, 5), [3, 3, 4, 8]));
  const bias = tf.variable(tf.tensor1d(values(10, 6)));
  const optimizer = new AdamW({ learningRate: hyper.learningRate, weightDecay: hyper.weightDecay });
  const run: Run = { weights: [], dispatchesPerStep: [], hostUploadsPerStep: [] };
  const gpu = backend === 'webgpu' ? (tf.backend() as unknown as BackendInternals) : null;
  let dispatches = 0;
  let hostUploads = 0;
  if (gpu) {
    const [dispatch, upload] = [gpu.runWebGPUProgram.bind(gpu), gpu.uploadToGPU.bind(gpu)];
    gpu.runWebGPUProgram = (...args) => {
      dispatches++;
      return dispatch(...args);
    };
    gpu.uploadToGPU = (dataId) => {
      const data = gpu.tensorMap.get(dataId);
      if (data.resource == null && data.values != null) hostUploads++;
      upload(dataId);
    };
  }
  let pipelines = 0;
  const tensors = tf.memory().numTensors;
  for (let step = 1; step <= 3; step++) {
    const grads = {
      [kernel.name]: tf.tensor4d(values(288, 10 + step, 0.3), [3, 3, 4, 8]),
      [bias.name]: tf.tensor1d(values(10, 20 + step)),
    };
    const onDevice = Object.values(grads).map((g) => tf.add(g, 0)); // gradients come from GPU kernels
    await Promise.all(onDevice.map((g) => g.data()));
    [dispatches, hostUploads] = [0, 0];
    optimizer.applyGradients(grads);
    if (step > 1) {
      run.dispatchesPerStep.push(dispatches);
      run.hostUploadsPerStep.push(hostUploads);
    }
    if (step === 1) pipelines = Object.keys(gpu?.pipelineCache ?? {}).length;
    tf.dispose([...Object.values(grads), ...onDevice]);
  }
  expect(Object.keys(gpu?.pipelineCache ?? {}).length).toBe(pipelines);
  expect(tf.memory().numTensors).toBe(tensors + 4); // m and v of each variable
  run.weights = [(await kernel.data()) as Float32Array, (await bias.data()) as Float32Array];
  if (gpu) {
    delete (gpu as Partial<BackendInternals>).runWebGPUProgram;
    delete (gpu as Partial<BackendInternals>).uploadToGPU;
  }
  optimizer.dispose();
  tf.dispose([kernel, bias]);
  return run;
}

test("AdamW on webgpu takes the fused kernel: 3 dispatches a variable, no uploads, the cpu composite's weights", async () => {
  // Small tensors whose data is on the host would run on the CPU: keep every op on the GPU.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  const cpu = await threeSteps('cpu');
  const fused = await threeSteps('webgpu');
  const config = tf.getKernel(AdamWUpdate, 'webgpu')!;
  tf.unregisterKernel(AdamWUpdate, 'webgpu');
  let composite: Run;
  try {
    composite = await threeSteps('webgpu');
  } finally {
    tf.registerKernel(config);
  }
  // The composite: 15 element-wise kernels and 9 scalars made from JS numbers per variable.
  expect(composite.dispatchesPerStep).toEqual([30, 30]);
  expect(composite.hostUploadsPerStep).toEqual([18, 18]);
  expect(fused.dispatchesPerStep).toEqual([6, 6]);
  expect(fused.hostUploadsPerStep).toEqual([0, 0]);
  for (const run of [fused, composite]) {
    expect(maxDifference(run.weights[0]!, cpu.weights[0]!)).toBeLessThan(1e-6);
    expect(maxDifference(run.weights[1]!, cpu.weights[1]!)).toBeLessThan(1e-6);
  }
  expect(maxDifference(fused.weights[0]!, values(288, 5))).toBeGreaterThan(5e-3); // 3 steps of ~lr moved them
  tf.env().set('WEBGPU_CPU_FORWARD', true);
}, 60_000);
