/** The checks gpu-check runs once WebGPU is installed (kept apart so tfjs loads after that). */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import {
  dwt2d,
  dwt2dCompositeRaw,
  idwt2d,
  idwt2dCompositeRaw,
  waveletPyramid,
  waveletPyramidCompositeRaw,
} from '@wavemix/core';
import { allConformanceCases, msPerCall, runConformanceCases, type CaseResult } from '@wavemix/core/testing';
import { webgpuKernelConfigs } from '../src/base';
import '../src/index';
import { webgpuKernelCases } from '../src/testing';

type Shape4 = [number, number, number, number];

export interface CheckOptions {
  conformance: boolean;
  bench: boolean;
  repeats: number;
  iterations: number;
  /** `core`: the core benchmark's two shapes; `all` adds a larger one (slow on SwiftShader). */
  shapes: 'core' | 'all';
}

const CORE_SHAPES: Shape4[] = [
  [32, 64, 64, 64],
  [8, 112, 112, 48],
];
const LARGE_SHAPE: Shape4 = [16, 224, 224, 64];

/** GPU time of the programs one call runs (timestamp queries), when the adapter supports them. */
async function gpuMs(run: () => tf.Tensor[]): Promise<number | null> {
  const timing = (await tf.time(() => tf.dispose(run()))) as { kernelMs: number | { error: string } };
  return typeof timing.kernelMs === 'number' && timing.kernelMs > 0 ? timing.kernelMs : null;
}

export async function runChecks(options: CheckOptions) {
  if (!(await tf.setBackend('webgpu'))) throw new Error('the tfjs webgpu backend failed to initialize');
  await tf.ready();
  const conformance = { passed: 0, failed: 0, results: [] as CaseResult[] };
  if (options.conformance) {
    console.log('\nconformance (webgpu):');
    const cases = [...allConformanceCases({ backend: 'webgpu', kernels: webgpuKernelConfigs }), ...webgpuKernelCases()];
    conformance.results = await runConformanceCases(cases, (result) => {
      if (result.ok) conformance.passed++;
      else conformance.failed++;
      console.log(result.ok ? `  ✓ ${result.name}` : `  ✕ ${result.name}\n      ${result.error}`);
    });
    console.log(`webgpu conformance: ${conformance.passed} passed, ${conformance.failed} failed`);
  }

  const rows: Array<Record<string, unknown>> = [];
  if (options.bench) {
    console.log('\nbenchmark (webgpu): ms per call, kernel vs plain-ops composite');
    for (const shape of options.shapes === 'all' ? [...CORE_SHAPES, LARGE_SHAPE] : CORE_SHAPES) {
      const x = tf.randomUniform(shape, -1, 1, 'float32', 7) as tf.Tensor4D;
      const [b, h, w, c] = shape;
      const bands = tf.randomUniform([b, h / 2, w / 2, 4 * c], -1, 1, 'float32', 8) as tf.Tensor4D;
      await Promise.all([x.data(), bands.data()]);
      const cases: Array<[string, () => tf.Tensor[], () => tf.Tensor[]]> = [
        ['dwt2d', () => [dwt2d(x)], () => [dwt2dCompositeRaw(x)]],
        ['idwt2d', () => [idwt2d(bands)], () => [idwt2dCompositeRaw(bands, h, w)]],
        ['pyramid L3', () => waveletPyramid(x, 3), () => waveletPyramidCompositeRaw(x, 3)],
      ];
      for (const [op, kernel, composite] of cases) {
        const kernelMs = await msPerCall(kernel, options.iterations, options.repeats);
        const compositeMs = await msPerCall(composite, options.iterations, options.repeats);
        const row = {
          op,
          shape,
          megabytes: (x.size * 4) / 1e6,
          kernelMs,
          compositeMs,
          speedup: compositeMs / kernelMs,
          kernelGpuMs: await gpuMs(kernel),
          compositeGpuMs: await gpuMs(composite),
        };
        rows.push(row);
        console.log(
          `  ${op.padEnd(10)} [${shape.join(',')}]: kernel ${kernelMs.toFixed(3)} ms, composite ${compositeMs.toFixed(3)} ms, ` +
            `speedup ${row.speedup.toFixed(2)}x` +
            (row.kernelGpuMs !== null && row.compositeGpuMs !== null
              ? ` (GPU time ${row.kernelGpuMs.toFixed(3)} vs ${row.compositeGpuMs.toFixed(3)} ms)`
              : ''),
        );
      }
      tf.dispose([x, bands]);
    }
  }
  return {
    conformance,
    bench: {
      timing: `median of repeats x ${options.iterations} back-to-back calls, then await data() of one value`,
      rows,
    },
  };
}
