#!/usr/bin/env node
/**
 * Winograd against the direct implicit GEMM in one process, alternated call by call
 * (`setWasmWinograd`), so machine load hits both alike: ConvTranspose(4, 2, 1) and 3x3 stride-1
 * convolutions (forward and input gradient), the ConvTranspose's input and filter gradients (a 4x4
 * stride-2 Conv2D and its filter gradient: four input phases), then whole W3 inference steps and
 * W1 training steps.
 * Median ms of the rounds; "direct GFLOP/s" counts the direct algorithm's multiply-adds.
 * `--tiles`: 4x4 against 2x2 Winograd output tiles instead (`setWasmWinogradLargeTiles`;
 * F(4x4, r x r) against F(2x2, r x r)). Needs `npm run build` first.
 *
 *   node tools/bench/scripts/winograd-ab.mjs [--tiles] [--threads 1] [--rounds 9] [--w3-steps 8] [--no-w3]
 *     [--w1-steps 6] [--no-w1]
 */
import * as tf from '@tensorflow/tfjs';
import { leanVariableGrads } from '@wavemix/core';
import { setWasmWinograd, setWasmWinogradLargeTiles, useWasmTraining } from '@wavemix/kernels-wasm';
import '@wavemix/kernels-cpu';
import { createModel, LOAD_REWRITE_RULES, optimizeForInference } from '@wavemix/models';
import { computeLoss } from '@wavemix/models/training';
import { enableKernelThreads } from '@wavemix/parallel';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const threads = arg('threads', 1);
const rounds = arg('rounds', 9);
const w3Steps = arg('w3-steps', 8);
const w1Steps = arg('w1-steps', 6);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const tiles = process.argv.includes('--tiles');
/** The A/B switch: Winograd on/off, or (--tiles) 4x4 output tiles on/off. */
const use = (on) => (tiles ? setWasmWinogradLargeTiles(on) : setWasmWinograd(on));
const [onLabel, offLabel] = tiles ? ['4x4 tiles', '2x2 tiles'] : ['winograd', 'direct'];

await useWasmTraining();
const pool = threads > 1 ? enableKernelThreads({ threads }) : null;

/** Median ms of `f` with the switch on and off, alternated; each timing repeats f to ~0.3 GFLOP. */
function ab(f, flops) {
  const reps = Math.max(1, Math.round(3e8 / flops));
  const times = { on: [], off: [] };
  const timeOnce = (on) => {
    use(on);
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) {
      const y = f();
      y.dataSync();
      y.dispose();
    }
    return (performance.now() - t0) / reps;
  };
  for (const on of [true, false]) timeOnce(on);
  for (let r = 0; r < rounds; r++) for (const on of [true, false]) times[on ? 'on' : 'off'].push(timeOnce(on));
  return [median(times.on), median(times.off)];
}

const row = (name, [on, off], flops) =>
  console.log(
    `${name.padEnd(44)} ${onLabel} ${on.toFixed(2).padStart(7)} ms  ${offLabel} ${off.toFixed(2).padStart(7)} ms  ` +
      `${(off / on).toFixed(2)}x  (${offLabel}: ${(flops / off / 1e6).toFixed(1)} direct-equivalent GFLOP/s)`,
  );

console.log(`threads ${threads}, ${rounds} rounds, load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
// ConvTranspose(4, 2, 1) [b, h, h, ci] -> [b, 2h, 2h, co]: W3's three levels, W1's and W5's units.
for (const [b, h, ci, co] of [
  [1, 28, 192, 192],
  [1, 14, 192, 96],
  [1, 7, 192, 96],
  [64, 16, 64, 64],
  [128, 14, 16, 16],
]) {
  const x = tf.randomNormal([b, h, h, ci]);
  const w = tf.randomNormal([4, 4, co, ci]);
  const flops = 2 * b * h * h * 4 * ci * co * 4;
  row(
    `ConvTranspose(4,2,1) [${b},${h},${h},${ci}] -> ${co}`,
    ab(() => tf.conv2dTranspose(x, w, [b, 2 * h, 2 * h, co], 2, 'same'), flops),
    flops,
  );
  tf.dispose([x, w]);
}
// 3x3 stride 1 'same': W3's stem, W1's stem, a 192-channel layer; forward and input gradient.
for (const [b, h, ci, co] of [
  [1, 224, 48, 96],
  [64, 32, 32, 64],
  [1, 56, 192, 192],
]) {
  const x = tf.randomNormal([b, h, h, ci]);
  const w = tf.randomNormal([3, 3, ci, co]);
  const dy = tf.randomNormal([b, h, h, co]);
  const flops = 2 * b * h * h * 9 * ci * co;
  row(
    `conv 3x3 [${b},${h},${h},${ci}] -> ${co}`,
    ab(() => tf.conv2d(x, w, 1, 'same'), flops),
    flops,
  );
  row(
    `  its input gradient`,
    ab(() => tf.conv2dTranspose(dy, w, [b, h, h, ci], 1, 'same'), flops),
    flops,
  );
  tf.dispose([x, w, dy]);
}

// ConvTranspose(4, 2, 1)'s input gradient: Conv2D(dy [b, 2h, 2h, co], 4x4, stride 2, pad 1) -> [b, h, h, ci].
for (const [b, h, ci, co] of [
  [64, 16, 64, 64],
  [1, 28, 192, 192],
]) {
  const dy = tf.randomNormal([b, 2 * h, 2 * h, co]);
  const w = tf.randomNormal([4, 4, co, ci]);
  const flops = 2 * b * h * h * 16 * ci * co;
  const pad = [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ];
  row(
    `ConvTranspose input gradient [${b},${2 * h},${2 * h},${co}] -> ${ci}`,
    ab(() => tf.conv2d(dy, w, 2, pad), flops),
    flops,
  );
  tf.dispose([dy, w]);
}

// ConvTranspose(4, 2, 1)'s filter gradient: Conv2DBackpropFilter(x = its dy [b, 2h, 2h, co], dy = its
// input [b, h, h, ci]), a 4x4 stride-2 filter gradient.
for (const [b, h, ci, co] of [
  [64, 16, 64, 64],
  [1, 28, 192, 192],
]) {
  const x = tf.randomNormal([b, 2 * h, 2 * h, co]);
  const dy = tf.randomNormal([b, h, h, ci]);
  const flops = 2 * b * h * h * 16 * ci * co;
  const attrs = {
    strides: 2,
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
    dataFormat: 'NHWC',
    filterShape: [4, 4, co, ci],
  };
  row(
    `ConvTranspose filter gradient [${b},${h},${h},${ci}] x ${co}`,
    ab(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs), flops),
    flops,
  );
  tf.dispose([x, dy]);
}

/** Median ms of `step` with the switch on and off, alternated step by step. */
async function abSteps(step, steps) {
  const times = { on: [], off: [] };
  for (const on of [true, false]) {
    use(on);
    await step();
  }
  for (let i = 0; i < steps; i++)
    for (const on of i % 2 ? [false, true] : [true, false]) {
      use(on);
      times[on ? 'on' : 'off'].push(await step());
    }
  return [median(times.on), median(times.off)];
}

if (!process.argv.includes('--no-w1')) {
  const model = createModel('cifar10-wavemix-lite-64-6', { overrides: { inputSize: [32, 32] } });
  const x = tf.randomNormal([64, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 2), 10).toFloat();
  const step = async () => {
    const t0 = performance.now();
    const { value, grads } = leanVariableGrads(() =>
      computeLoss('softmaxCrossEntropy', model.apply(x, { training: true }), y),
    );
    await value.data();
    tf.dispose([value, grads]);
    return performance.now() - t0;
  };
  const [on, off] = await abSteps(step, w1Steps);
  console.log(
    `W1 training step (batch 64, forward + gradients)`.padEnd(44),
    `${onLabel} ${on.toFixed(1)} ms  ${offLabel} ${off.toFixed(1)} ms  ${(off / on).toFixed(2)}x`,
  );
  tf.dispose([x, y]);
}

if (!process.argv.includes('--no-w3')) {
  const model = createModel('imagenet-wavemix-192-16', { overrides: { inputSize: [224, 224] } });
  const run = optimizeForInference(model, { rules: LOAD_REWRITE_RULES });
  const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 1);
  const step = async () => {
    const t0 = performance.now();
    const out = tf.tidy(() => run.apply(x, { training: false }));
    await out.data();
    out.dispose();
    return performance.now() - t0;
  };
  const [on, off] = await abSteps(step, w3Steps);
  console.log(
    `W3 inference step (load()'s graph)`.padEnd(44),
    `${onLabel} ${on.toFixed(1)} ms  ${offLabel} ${off.toFixed(1)} ms  ${(off / on).toFixed(2)}x`,
  );
}
await pool?.dispose();
process.exit(0);
