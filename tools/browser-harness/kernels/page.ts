/**
 * Browser page for the kernel packages: the DWT conformance suite (plus each backend's own cases)
 * on WebGL2 and WebGPU, and the kernel-vs-composite benchmark. Driven by run.ts through
 * `window.wavemixKernels`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@wavemix/kernels-webgl';
import '@wavemix/kernels-webgpu';
import { dwt2d, dwt2dCompositeRaw, waveletPyramid, waveletPyramidCompositeRaw } from '@wavemix/core';
import { dwtConformanceCases, type ConformanceCase } from '@wavemix/core/testing';
import { webglKernelCases } from '@wavemix/kernels-webgl/testing';
import { webgpuKernelCases } from '@wavemix/kernels-webgpu/testing';
import type { BenchOptions, BenchRow, CaseResult, SuiteResult } from './protocol';

type GpuBackend = 'webgl' | 'webgpu';

async function useBackend(backend: GpuBackend): Promise<string> {
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed: the backend did not initialize`);
  await tf.ready();
  if (backend === 'webgl') {
    const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}: ${String(renderer)}, max texture ${tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE')}`;
  }
  const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  return `WebGPU: ${info?.vendor ?? '?'} ${info?.architecture ?? '?'}`;
}

async function runConformance(backend: GpuBackend): Promise<SuiteResult> {
  const device = await useBackend(backend);
  const cases: ConformanceCase[] = [
    ...dwtConformanceCases({ backend, expectKernels: true }),
    ...(backend === 'webgl' ? webglKernelCases() : webgpuKernelCases()),
  ];
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    const started = performance.now();
    try {
      await testCase.run();
      results.push({ name: testCase.name, ok: true, ms: performance.now() - started });
    } catch (error) {
      const e = error as Error;
      results.push({ name: testCase.name, ok: false, ms: performance.now() - started, error: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}` });
    }
  }
  return { backend, device, results };
}

/**
 * Milliseconds per call: `iterations` calls back to back, then one read of a single value of the
 * last output, which waits until the GPU has finished all of them (queues run in order). Both
 * sides are timed the same way; the median of `repeats` is reported.
 */
async function msPerCall(run: () => tf.Tensor[], iterations: number, repeats: number): Promise<number> {
  const once = async () => {
    let last: tf.Tensor[] = [];
    for (let i = 0; i < iterations; i++) {
      tf.dispose(last);
      last = run();
    }
    const probe = tf.slice(last[0]!, [0, 0, 0, 0], [1, 1, 1, 1]);
    await probe.data();
    tf.dispose([probe, ...last]);
  };
  await once(); // compile and allocate
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    await once();
    samples.push((performance.now() - started) / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function runBench(backend: GpuBackend, options: BenchOptions): Promise<{ device: string; rows: BenchRow[] }> {
  const device = await useBackend(backend);
  const rows: BenchRow[] = [];
  for (const shape of options.shapes) {
    const x = tf.randomUniform(shape, -1, 1, 'float32', 7) as tf.Tensor4D;
    await x.data();
    const cases: Array<[string, () => tf.Tensor[], () => tf.Tensor[]]> = [
      ['dwt2d', () => [dwt2d(x)], () => [dwt2dCompositeRaw(x)]],
      ['pyramid L3', () => waveletPyramid(x, 3), () => waveletPyramidCompositeRaw(x, 3)],
    ];
    for (const [op, kernel, composite] of cases) {
      const kernelMs = await msPerCall(kernel, options.iterations, options.repeats);
      const compositeMs = await msPerCall(composite, options.iterations, options.repeats);
      rows.push({ backend, op, shape, kernelMs, compositeMs, speedup: compositeMs / kernelMs });
    }
    x.dispose();
  }
  return { device, rows };
}

declare global {
  interface Window {
    wavemixKernels: { runConformance: typeof runConformance; runBench: typeof runBench; numTensors: () => number };
    wavemixPageReady: boolean;
  }
}

window.wavemixKernels = { runConformance, runBench, numTensors: () => tf.memory().numTensors };
window.wavemixPageReady = true;
