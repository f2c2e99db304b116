/**
 * `wavemix-bench-kernels --mode mlp` (issue 16): the fused pointwise MLP (one kernel, hidden
 * activations in cache) against the three kernels a feed-forward unit runs unfused on wasm
 * (FusedConv2D 1x1 + bias, WaveMixGelu, FusedConv2D 1x1 + bias), on the feed-forward shapes of W2
 * and W3. Fused and unfused alternate round by round in one process; medians of the process's CPU
 * time (user + system: single-threaded kernels, so this is their compute time even when a busy
 * machine deschedules us, which makes wall time swing 10x) and of wall time. GFLOP/s = 2 x
 * multiply-adds / CPU time.
 *
 *   wavemix-bench-kernels --mode mlp [--rounds N] [--tiles 8,16,32,64] [--simd simd|relaxed-simd|auto] [--out FILE]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { pointwiseMlp } from '@wavemix/core';
import {
  gelu,
  pointwiseMlpMacs,
  pointwiseMlpTile,
  setPointwiseMlpTile,
  setWasmSimdVariant,
  wasmSimdVariant,
  type WasmSimdVariant,
} from '@wavemix/kernels-wasm';
import { formatTable } from './timing';

interface MlpShape {
  name: string;
  x: [number, number, number, number];
  hidden: number;
  out: number;
}

/** Feed-forward units: W2 = Lite-64/6 at 32x32 batch 64 (x6 per forward); W3 = 192/16 L3 P4 at 224 batch 1 (x16 each). */
const MLP_SHAPES: MlpShape[] = [
  { name: 'W2 FF (Lite-64/6, b64)', x: [64, 16, 16, 64], hidden: 128, out: 64 },
  { name: 'W3 FF1 (192/16, 28x28)', x: [1, 28, 28, 288], hidden: 384, out: 192 },
  { name: 'W3 FF2 (192/16, 14x14)', x: [1, 14, 14, 288], hidden: 384, out: 192 },
  { name: 'W3 FF3 (192/16, 7x7)', x: [1, 7, 7, 192], hidden: 384, out: 192 },
];

interface MlpRow {
  shape: string;
  tile: number;
  unfusedMs: number;
  fusedMs: number;
  unfusedWallMs: number;
  fusedWallMs: number;
  unfusedGflops: number;
  fusedGflops: number;
  speedup: number;
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

interface Sample {
  cpuMs: number;
  wallMs: number;
}

async function timeOnce(run: () => tf.Tensor): Promise<Sample> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const y = run();
  await y.data();
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - wall;
  y.dispose();
  return { cpuMs: (used.user + used.system) / 1000, wallMs };
}

export async function mlpBenchmark(argument: (name: string, fallback: string) => string): Promise<void> {
  const rounds = Number(argument('rounds', '15'));
  const tiles = argument('tiles', 'auto')
    .split(',')
    .map((t) => (t === 'auto' ? null : Number(t)));
  const out = argument('out', '.bench/kernels-mlp.json');
  setWasmSimdVariant(argument('simd', 'auto') as WasmSimdVariant);
  await tf.setBackend('wasm');
  await tf.ready();
  const rows: MlpRow[] = [];
  for (const shape of MLP_SHAPES) {
    const cin = shape.x[3];
    const x = tf.randomUniform(shape.x, -2, 2, 'float32', 1) as tf.Tensor4D;
    const w1 = tf.randomUniform([cin, shape.hidden], -0.1, 0.1, 'float32', 2) as tf.Tensor2D;
    const b1 = tf.randomUniform([shape.hidden], -0.1, 0.1, 'float32', 3) as tf.Tensor1D;
    const w2 = tf.randomUniform([shape.hidden, shape.out], -0.1, 0.1, 'float32', 4) as tf.Tensor2D;
    const b2 = tf.randomUniform([shape.out], -0.1, 0.1, 'float32', 5) as tf.Tensor1D;
    const filter1 = tf.reshape(w1, [1, 1, cin, shape.hidden]) as tf.Tensor4D;
    const filter2 = tf.reshape(w2, [1, 1, shape.hidden, shape.out]) as tf.Tensor4D;
    // As tfjs-layers runs the feed-forward unit: Conv2D with bias (FusedConv2D), activation 'gelu', Conv2D.
    const unfused = () =>
      tf.tidy(() => {
        const hidden = gelu(tf.fused.conv2d({ x, filter: filter1, bias: b1, strides: 1, pad: 'valid' })) as tf.Tensor4D;
        return tf.fused.conv2d({ x: hidden, filter: filter2, bias: b2, strides: 1, pad: 'valid' });
      });
    const fused = () => pointwiseMlp(x, w1, b1, w2, b2);
    const flops = 2 * pointwiseMlpMacs(shape.x, shape.hidden, shape.out);
    for (const tile of tiles) {
      setPointwiseMlpTile(tile);
      for (let i = 0; i < 2; i++) {
        await timeOnce(unfused);
        await timeOnce(fused);
      }
      const unfusedSamples: Sample[] = [];
      const fusedSamples: Sample[] = [];
      for (let r = 0; r < rounds; r++) {
        unfusedSamples.push(await timeOnce(unfused));
        fusedSamples.push(await timeOnce(fused));
      }
      const unfusedMs = median(unfusedSamples.map((t) => t.cpuMs));
      const fusedMs = median(fusedSamples.map((t) => t.cpuMs));
      rows.push({
        shape: `${shape.name} [${shape.x.join(',')}] ${cin}->${shape.hidden}->${shape.out}`,
        tile: pointwiseMlpTile(shape.hidden),
        unfusedMs,
        fusedMs,
        unfusedWallMs: median(unfusedSamples.map((t) => t.wallMs)),
        fusedWallMs: median(fusedSamples.map((t) => t.wallMs)),
        unfusedGflops: flops / unfusedMs / 1e6,
        fusedGflops: flops / fusedMs / 1e6,
        speedup: unfusedMs / fusedMs,
      });
      console.error(
        `${rows.at(-1)!.shape} tile ${rows.at(-1)!.tile}: ${unfusedMs.toFixed(2)} -> ${fusedMs.toFixed(2)} ms`,
      );
    }
    setPointwiseMlpTile(null);
    tf.dispose([x, w1, b1, w2, b2, filter1, filter2]);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').trim();
  console.log(`wasm ${wasmSimdVariant()}, ${rounds} alternating rounds, medians (CPU ms); /proc/loadavg: ${load}\n`);
  console.log(
    formatTable(
      [
        'feed-forward unit',
        'tile px',
        'unfused CPU ms',
        'fused CPU ms',
        'unfused GFLOP/s',
        'fused GFLOP/s',
        'speedup',
        'unfused wall ms',
        'fused wall ms',
      ],
      rows.map((r) => [
        r.shape,
        r.tile,
        r.unfusedMs,
        r.fusedMs,
        r.unfusedGflops,
        r.fusedGflops,
        r.speedup,
        r.unfusedWallMs,
        r.fusedWallMs,
      ]),
    ),
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, variant: wasmSimdVariant(), load, rows },
      null,
      2,
    ),
  );
  console.log(`\nwrote ${out}`);
}
