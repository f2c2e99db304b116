// The step probe's counts on real tfjs-backend-webgpu work (Dawn on SwiftShader): each expected
// number follows from how tfjs-webgpu runs these ops (lazy upload of host data on first use,
// one program per element-wise op, scalars from JS numbers made into tensors and uploaded).
// Tensors have >= 1000 elements: smaller ones whose data is still on the host run on the CPU
// (tfjs-webgpu's WEBGPU_CPU_FORWARD below WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD), which dispatches nothing.
import * as tf from '@tensorflow/tfjs';
import { installNodeWebGPU, loadDawn, SWIFTSHADER_ICD } from '@wavemix/kernels-webgpu/node';
import { byCategory, kernelCategory, WebGPUStepProbe } from './step_probe';

let probe: WebGPUStepProbe;

beforeAll(async () => {
  installNodeWebGPU(loadDawn(), { fallbackIcd: SWIFTSHADER_ICD });
  await import('@tensorflow/tfjs-backend-webgpu');
  await import('@wavemix/kernels-webgpu');
  expect(await tf.setBackend('webgpu')).toBe(true);
  await tf.ready();
  probe = WebGPUStepProbe.install();
}, 60_000);

afterAll(() => {
  probe.uninstall();
  tf.removeBackend('webgpu');
});

test('a host tensor is uploaded once, on first use, and its result read back once', async () => {
  probe.take();
  const x = tf.tensor1d(Float32Array.from({ length: 1024 }, (_, i) => i));
  const y = tf.add(x, x);
  const values = await y.data();
  await y.data(); // already on the host: a read call, no download
  const counts = probe.take();
  expect(Array.from(values)).toEqual(Array.from({ length: 1024 }, (_, i) => 2 * i));
  expect(counts.kernels.Add).toMatchObject({ calls: 1, dispatches: 1 });
  expect(counts.dispatches).toBe(1);
  expect(counts.uploads).toMatchObject({ tensors: 1, bytes: 4096, bySize: { 4096: 1 }, byKernel: { Add: 1 } });
  expect(counts.uniforms.writes).toBe(1);
  expect(counts.readbacks).toEqual({ calls: 2, downloads: 1, bytes: 4096 });
  expect(counts.syncReads).toBe(0);
  tf.dispose([x, y]);
});

test('a JS number in an op is a 4-byte upload; reshape dispatches nothing; a new shape compiles, a repeat does not', async () => {
  const x = tf.tensor2d(
    Float32Array.from({ length: 1024 }, (_, i) => i),
    [2, 512],
  );
  const shifted = tf.add(x, 0); // uploads x
  await shifted.data();
  probe.take();
  const scaled = tf.mul(x, 3);
  const flat = tf.reshape(scaled, [1024]);
  let counts = probe.take();
  expect(counts.uploads).toMatchObject({ tensors: 1, bytes: 4, byKernel: { Multiply: 1 } });
  expect(counts.kernels.Reshape).toMatchObject({ calls: 1, dispatches: 0 });
  expect(counts.dispatches).toBe(1);

  const odd = tf.tensor3d(
    Float32Array.from({ length: 1026 }, (_, i) => i),
    [1, 513, 2],
  );
  const first = tf.sub(tf.transpose(odd, [0, 2, 1]), 1);
  counts = probe.take();
  expect(counts.pipelinesCompiled).toContain('TransposeProgram');
  const again = tf.sub(tf.transpose(odd, [0, 2, 1]), 1);
  counts = probe.take();
  expect(counts.pipelinesCompiled).toEqual([]);
  expect(counts.dispatches).toBe(2);
  // [1, 513, 2] -> [1, 2, 513]: even values first, then odd ones, each minus 1.
  const expected = [0, 1].flatMap((parity) => Array.from({ length: 513 }, (_, i) => 2 * i + parity - 1));
  expect(Array.from(await again.data())).toEqual(expected);
  tf.dispose([x, shifted, scaled, flat, odd, first, again]);
});

test('kernel categories and their totals', () => {
  expect(kernelCategory('Multiply')).toBe('element-wise');
  expect(kernelCategory('Conv2DBackpropFilter')).toBe('conv/matmul');
  expect(kernelCategory('WaveMixDwt2D')).toBe('dwt');
  expect(kernelCategory('Transpose')).toBe('layout');
  expect(kernelCategory('WaveMixAdamWUpdate')).toBe('optimizer');
  expect(kernelCategory('SomethingNew')).toBe('other');
  const totals = byCategory({
    Add: { calls: 3, dispatches: 3, hostMs: 1 },
    Sub: { calls: 2, dispatches: 2, hostMs: 0.5 },
    FusedConv2D: { calls: 1, dispatches: 2, hostMs: 4 },
  });
  expect(totals['element-wise']).toEqual({ calls: 5, dispatches: 5, hostMs: 1.5 });
  expect(totals['conv/matmul']).toEqual({ calls: 1, dispatches: 2, hostMs: 4 });
});

test('uninstall puts the kernels and backend methods back', () => {
  const local = WebGPUStepProbe.install(); // a second layer over the first
  const wrapped = tf.getKernel('Add', 'webgpu')!.kernelFunc;
  const read = (tf.backend() as unknown as { read: unknown }).read;
  local.uninstall();
  expect(tf.getKernel('Add', 'webgpu')!.kernelFunc).not.toBe(wrapped);
  expect((tf.backend() as unknown as { read: unknown }).read).not.toBe(read);
  probe.take();
  const ones = tf.ones([1024]);
  tf.dispose([ones, tf.add(ones, 1)]);
  // The first probe still counts (its wrappers sat under the second one's).
  expect(probe.take().kernels.Add).toMatchObject({ calls: 1, dispatches: 1 });
});
