/**
 * Training-kernel micro-benchmark (issue 8): the convolutions of WaveMix-Lite-64/6 at batch 64
 * on the wasm backend with our kernels and as shipped (XNNPACK Conv2D, the scalar
 * Conv2DBackpropInput, no Conv2DBackpropFilter), median wall time and process CPU time, GFLOP/s
 * from the multiply-adds. Prints a table and writes JSON.
 *
 *   node tools/bench/dist/train-kernels.js [--out FILE] [--repeats N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels, restoreStockWasmKernels, useWasmTraining } from '@wavemix/kernels-wasm';
import { formatTable } from './timing';

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}
const repeats = Number(argument('repeats', '5'));
const out = argument('out', '.bench/train-kernels.json');

type T4 = tf.Tensor4D;
interface Case {
  name: string;
  macs: number;
  run: () => tf.Tensor;
  stockRepeats?: number;
}

const r = (shape: [number, number, number, number], seed: number) =>
  tf.randomUniform(shape, -1, 1, 'float32', seed) as T4;

function cases(): Case[] {
  const x16 = r([64, 16, 16, 64], 1);
  const x32 = r([64, 32, 32, 64], 2);
  const x32c = r([64, 32, 32, 32], 3);
  const dy16 = r([64, 16, 16, 128], 4);
  const w11 = r([1, 1, 64, 128], 5);
  const wt = r([4, 4, 64, 64], 6);
  const w33 = r([3, 3, 32, 64], 7);
  const bpf = (x: T4, dy: T4, filterShape: number[], strides: number, pad: number) =>
    tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides,
      pad,
      dataFormat: 'NHWC',
      filterShape,
    } as never) as tf.Tensor;
  return [
    { name: 'Conv2D 1x1 64->128 @16x16', macs: 64 * 256 * 64 * 128, run: () => tf.conv2d(x16, w11, 1, 'valid') },
    {
      name: 'Conv2D 3x3 32->64 @32x32 (stem)',
      macs: 64 * 1024 * 9 * 32 * 64,
      run: () => tf.conv2d(x32c, w33, 1, 'same'),
    },
    {
      name: 'ConvTranspose(4,2,1) 64->64 16->32',
      macs: 64 * 1024 * 4 * 64 * 64,
      run: () => tf.conv2dTranspose(x16, wt, [64, 32, 32, 64], 2, 'same'),
      stockRepeats: 1,
    },
    {
      name: 'its input gradient: Conv2D 4x4 s2',
      macs: 64 * 256 * 16 * 64 * 64,
      run: () => tf.conv2d(x32, wt, 2, 'same'),
    },
    {
      name: 'its filter gradient: Conv2DBackpropFilter',
      macs: 64 * 256 * 16 * 64 * 64,
      run: () => bpf(x32, x16, [4, 4, 64, 64], 2, 1),
    },
    {
      name: 'Conv2DBackpropFilter 1x1 64->128',
      macs: 64 * 256 * 64 * 128,
      run: () => bpf(x16, dy16, [1, 1, 64, 128], 1, 0),
    },
  ];
}

function time(run: () => tf.Tensor, n: number): { wallMs: number; cpuMs: number } {
  tf.dispose(run());
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    // The wasm backend computes synchronously; downloading the output (dataSync) would add a copy.
    const y = run();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    y.dispose();
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

async function main(): Promise<void> {
  await useWasmTraining();
  const rows: Array<Record<string, unknown>> = [];
  const list = cases();
  for (const c of list) {
    const ours = time(c.run, repeats);
    restoreStockWasmKernels();
    let stock: { wallMs: number; cpuMs: number } | null = null;
    try {
      stock = time(c.run, c.stockRepeats ?? repeats);
    } catch {
      stock = null; // not registered as shipped
    }
    registerWasmTrainingKernels();
    const gflops = (ms: number) => (2 * c.macs) / ms / 1e6;
    rows.push({
      kernel: c.name,
      gflop: (2 * c.macs) / 1e9,
      oursMs: ours.wallMs,
      oursCpuMs: ours.cpuMs,
      oursGflops: gflops(ours.cpuMs),
      stockMs: stock?.wallMs ?? null,
      stockCpuMs: stock?.cpuMs ?? null,
      stockGflops: stock ? gflops(stock.cpuMs) : null,
    });
    console.error(
      `${c.name}: ours ${ours.cpuMs.toFixed(1)} ms CPU, as shipped ${stock ? `${stock.cpuMs.toFixed(1)} ms` : 'missing'}`,
    );
  }
  const f = (v: unknown) => (v == null ? 'missing' : (v as number));
  console.log(
    formatTable(
      ['kernel', 'GFLOP', 'ours ms', 'ours GFLOP/s', 'as shipped ms', 'as shipped GFLOP/s', 'speedup'],
      rows.map((row) => [
        row.kernel as string,
        row.gflop as number,
        row.oursCpuMs as number,
        row.oursGflops as number,
        f(row.stockCpuMs),
        f(row.stockGflops),
        row.stockCpuMs == null ? '-' : (row.stockCpuMs as number) / (row.oursCpuMs as number),
      ]),
    ),
  );
  console.log(`(process CPU time, median of ${repeats}; load ${loadavg()[0]!.toFixed(2)})`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, load1: loadavg()[0], rows }, null, 2),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
