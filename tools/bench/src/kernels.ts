/**
 * Kernel micro-benchmark (issue 2): one-level DWT on [32, 64, 64, 64] and [8, 112, 112, 48] and a
 * 3-level pyramid, our kernel vs the plain-ops composite on the cpu and wasm backends, and a plain
 * typed-array copy of the same bytes as the memory-speed reference. Prints a table and writes JSON.
 *
 *   wavemix-bench-kernels [--out FILE] [--backends cpu,wasm] [--repeats N]
 *   wavemix-bench-kernels --mode mlp ...   the fused pointwise MLP vs its three kernels (kernels_mlp.ts)
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@wavemix/kernels-cpu';
import '@wavemix/kernels-wasm';
import { dwt2d, dwt2dCompositeRaw, waveletPyramid, waveletPyramidCompositeRaw } from '@wavemix/core';
import { mlpBenchmark } from './kernels_mlp';
import { formatTable, timeMs } from './timing';

type Shape4 = [number, number, number, number];

interface Row {
  backend: string;
  op: string;
  shape: Shape4;
  megabytes: number;
  copyMs: number;
  compositeMs: number;
  kernelMs: number;
  speedupVsComposite: number;
  kernelOverCopy: number;
}

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

const shapes: Shape4[] = [
  [32, 64, 64, 64],
  [8, 112, 112, 48],
];
const backends = argument('backends', 'cpu,wasm').split(',');
const repeats = Number(argument('repeats', '7'));
const out = argument('out', '.bench/kernels.json');

function copyMs(elements: number): Promise<number> {
  const src = new Float32Array(elements).map((_, i) => i);
  const dst = new Float32Array(elements);
  return timeMs(() => dst.set(src), repeats * 3, 3);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const backend of backends) {
    await tf.setBackend(backend);
    await tf.ready();
    for (const shape of shapes) {
      const x = tf.randomUniform(shape, -1, 1, 'float32', 7) as tf.Tensor4D;
      const elements = x.size;
      const copy = await copyMs(elements);
      const cases: Array<[string, () => void, () => void]> = [
        ['dwt2d', () => tf.dispose(dwt2d(x)), () => tf.dispose(dwt2dCompositeRaw(x))],
        ['pyramid L3', () => tf.dispose(waveletPyramid(x, 3)), () => tf.dispose(waveletPyramidCompositeRaw(x, 3))],
      ];
      for (const [op, kernel, composite] of cases) {
        const kernelMs = await timeMs(kernel, repeats, 2);
        // The composite takes seconds on cpu; fewer repeats keep the run short.
        const compositeMs = await timeMs(composite, backend === 'cpu' ? 3 : repeats, 1);
        rows.push({
          backend,
          op,
          shape,
          megabytes: (elements * 4) / 1e6,
          copyMs: copy,
          compositeMs,
          kernelMs,
          speedupVsComposite: compositeMs / kernelMs,
          kernelOverCopy: kernelMs / copy,
        });
        console.error(
          `${backend} ${op} [${shape.join(',')}]: kernel ${kernelMs.toFixed(2)} ms, composite ${compositeMs.toFixed(1)} ms`,
        );
      }
      x.dispose();
    }
  }
  console.log(
    formatTable(
      [
        'backend',
        'op',
        'shape',
        'MB',
        'copy ms',
        'composite ms',
        'kernel ms',
        'kernel/composite speedup',
        'kernel/copy',
      ],
      rows.map((r) => [
        r.backend,
        r.op,
        `[${r.shape.join(',')}]`,
        r.megabytes,
        r.copyMs,
        r.compositeMs,
        r.kernelMs,
        r.speedupVsComposite,
        r.kernelOverCopy,
      ]),
    ),
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2));
  console.log(`\nwrote ${out}`);
}

(argument('mode', 'dwt') === 'mlp' ? mlpBenchmark(argument) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
