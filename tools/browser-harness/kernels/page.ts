/**
 * Browser page for the kernel packages: the DWT conformance suite (plus each backend's own cases)
 * on WebGL2 and WebGPU, and the kernel-vs-composite benchmark. Driven by run.ts through
 * `window.wavemixKernels`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@wavemix/kernels-webgl';
import { webglKernelConfigs } from '@wavemix/kernels-webgl/base';
import '@wavemix/kernels-webgpu';
import { webgpuKernelConfigs } from '@wavemix/kernels-webgpu/base';
import { dwt2d, dwt2dCompositeRaw, waveletPyramid, waveletPyramidCompositeRaw } from '@wavemix/core';
import { allConformanceCases, msPerCall, runConformanceCases, type ConformanceCase } from '@wavemix/core/testing';
import { webglKernelCases } from '@wavemix/kernels-webgl/testing';
import { webgpuKernelCases } from '@wavemix/kernels-webgpu/testing';
import type { BenchOptions, BenchRow, CaseResult, SuiteResult } from './protocol';

type GpuBackend = 'webgl' | 'webgpu';

async function useBackend(backend: GpuBackend): Promise<string> {
  if (!(await tf.setBackend(backend)))
    throw new Error(`tf.setBackend('${backend}') failed: the backend did not initialize`);
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
    ...allConformanceCases({ backend, kernels: backend === 'webgl' ? webglKernelConfigs : webgpuKernelConfigs }),
    ...(backend === 'webgl' ? webglKernelCases() : webgpuKernelCases()),
  ];
  // The stack goes into the message: run.ts prints the first lines of a failure.
  const results: CaseResult[] = (await runConformanceCases(cases)).map(({ stack, ...result }) =>
    result.ok ? result : { ...result, error: `${result.error}\n${stack ?? ''}` },
  );
  return { backend, device, results };
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
