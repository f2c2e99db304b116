#!/usr/bin/env node
/**
 * What one of `load()`'s rewrites buys: whole inference steps of an optimized model built with
 * LOAD_REWRITE_RULES against one built with the same rules less `--rule`, two models of one
 * source, steps alternated in one process so machine load hits both alike; median wall ms, process
 * CPU ms, and the step's peak tensor memory. W3 = WaveMix-192/16 level 3, 224x224, batch 1; W2 =
 * WaveMix-Lite-64/6, 32x32, batch 64. For read-concat-in-pointwise-mlp it first times one unit on
 * concat[X_k, y] reading the two parts where they lie (PointwiseMlpConcat) against Concat writing
 * them out and the unit reading that, at W3's two shapes (levels 1 and 2). Needs `npm run build`.
 *
 *   node tools/bench/scripts/load-rules-ab.mjs [--rule read-concat-in-pointwise-mlp | fuse-batchnorm-epilogue]
 *     [--workload W3 | W2] [--threads 1] [--rounds 41] [--steps 30]
 */
import * as tf from '@tensorflow/tfjs';
import { pointwiseMlp } from '@wavemix/core';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { createModel, LOAD_REWRITE_RULES, optimizeForInference } from '@wavemix/models';
import { enableKernelThreads } from '@wavemix/parallel';
import { WORKLOADS } from '../dist/workloads.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const text = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const rule = text('rule', 'read-concat-in-pointwise-mlp');
const workload = text('workload', 'W3');
if (!['W2', 'W3'].includes(workload))
  throw new Error(`--workload: W2 or W3 (the inference workloads), got ${workload}`);
const threads = arg('threads', 1);
const steps = arg('steps', 30);
const rounds = arg('rounds', 41);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

await useWasmTraining();
const pool = threads > 1 ? enableKernelThreads({ threads }) : null;
if (!LOAD_REWRITE_RULES.some((r) => r.name === rule)) throw new Error(`--rule: no rule ${rule} in LOAD_REWRITE_RULES`);
console.log(`${workload}, rule ${rule}, threads ${threads}, load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
for (const [size, out] of rule !== 'read-concat-in-pointwise-mlp'
  ? []
  : [
      [28, 192],
      [14, 96],
    ]) {
  const [a, b] = [tf.randomNormal([1, size, size, 192]), tf.randomNormal([1, size, size, 96])];
  const w1 = tf.randomNormal([288, 384], 0, 0.05);
  const w2 = tf.randomNormal([384, out], 0, 0.05);
  const [b1, b2] = [tf.zeros([384]), tf.zeros([out])];
  const units = {
    withRule: () => pointwiseMlp([a, b], w1, b1, w2, b2),
    without: () => tf.tidy(() => pointwiseMlp(tf.concat([a, b], 3), w1, b1, w2, b2)),
  };
  const t = { withRule: [], without: [] };
  for (let r = -1; r < rounds; r++)
    for (const name of r % 2 ? ['without', 'withRule'] : ['withRule', 'without']) {
      const t0 = performance.now();
      const y = units[name]();
      y.dataSync();
      y.dispose();
      if (r >= 0) t[name].push(performance.now() - t0);
    }
  const [i, w] = [median(t.withRule), median(t.without)];
  console.log(
    `unit on [1, ${size}, ${size}, 192 + 96] -> 384 -> ${out}: parts read in place ${i.toFixed(3)} ms, Concat + unit ${w.toFixed(3)} ms: ${(w / i).toFixed(3)}x`,
  );
  tf.dispose([a, b, w1, w2, b1, b2]);
}

const source = createModel(WORKLOADS[workload].model);
const withRule = optimizeForInference(source, { rules: LOAD_REWRITE_RULES });
const without = optimizeForInference(source, { rules: LOAD_REWRITE_RULES.filter((r) => r.name !== rule) });
const layerCount = (m) => m.layers.length;
const x = tf.randomNormal([WORKLOADS[workload].batchSize, ...source.inputs[0].shape.slice(1)], 0, 1, 'float32', 1);
/** Wall ms and this process's CPU ms (robust to waiting for the core) of one step. */
const step = (model) => {
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  const y = model.apply(x, { training: false });
  y.dataSync();
  y.dispose();
  const c = process.cpuUsage(c0);
  return [performance.now() - t0, (c.user + c.system) / 1000];
};
const times = { withRule: [], without: [] };
const cpu = { withRule: [], without: [] };
for (const m of [withRule, without, withRule, without]) step(m);
for (let i = 0; i < steps; i++)
  for (const name of i % 2 ? ['without', 'withRule'] : ['withRule', 'without']) {
    const [wall, cpuMs] = step(name === 'withRule' ? withRule : without);
    times[name].push(wall);
    cpu[name].push(cpuMs);
  }
const peak = async (m) => (await tf.profile(() => step(m))).peakBytes / 2 ** 20;
const [a, b] = [median(times.withRule), median(times.without)];
console.log(
  `${workload} step (${steps} each): with the rule (${layerCount(withRule)} layers) ${a.toFixed(1)} ms, ` +
    `without (${layerCount(without)}) ${b.toFixed(1)} ms: ${(b / a).toFixed(3)}x; ` +
    `peak tensors ${(await peak(withRule)).toFixed(1)} / ${(await peak(without)).toFixed(1)} MiB`,
);
const [ca, cb] = [median(cpu.withRule), median(cpu.without)];
console.log(`  process CPU per step: ${ca.toFixed(1)} / ${cb.toFixed(1)} ms: ${(cb / ca).toFixed(3)}x`);
tf.dispose(x);
if (pool) await pool.dispose();
