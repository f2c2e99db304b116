#!/usr/bin/env node
/**
 * A feed-forward unit on concat[X_k, y] reading the two parts where they lie (PointwiseMlpConcat)
 * against Concat writing them out and the unit reading that. First one call of each at W3's two
 * shapes (levels 1 and 2: [1, 28, 28, 192 + 96] and [1, 14, 14, 192 + 96], hidden 384), then whole
 * W3 inference steps (WaveMix-192/16 level 3, 224x224, batch 1) with `load()`'s rewrites against
 * the same rewrites less read-concat-in-pointwise-mlp: two optimized models of one source. Both
 * alternated in one process so machine load hits both alike; median ms, and the step's peak
 * tensor memory. Needs `npm run build` first.
 *
 *   node tools/bench/scripts/concat-ab.mjs [--threads 1] [--rounds 41] [--steps 30]
 */
import * as tf from '@tensorflow/tfjs';
import { pointwiseMlp } from '@wavemix/core';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { createModel, LOAD_REWRITE_RULES, optimizeForInference } from '@wavemix/models';
import { enableKernelThreads } from '@wavemix/parallel';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const threads = arg('threads', 1);
const steps = arg('steps', 30);
const rounds = arg('rounds', 41);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

await useWasmTraining();
const pool = threads > 1 ? enableKernelThreads({ threads }) : null;
console.log(`threads ${threads}, load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
for (const [size, out] of [
  [28, 192],
  [14, 96],
]) {
  const [a, b] = [tf.randomNormal([1, size, size, 192]), tf.randomNormal([1, size, size, 96])];
  const w1 = tf.randomNormal([288, 384], 0, 0.05);
  const w2 = tf.randomNormal([384, out], 0, 0.05);
  const [b1, b2] = [tf.zeros([384]), tf.zeros([out])];
  const units = {
    inPlace: () => pointwiseMlp([a, b], w1, b1, w2, b2),
    written: () => tf.tidy(() => pointwiseMlp(tf.concat([a, b], 3), w1, b1, w2, b2)),
  };
  const t = { inPlace: [], written: [] };
  for (let r = -1; r < rounds; r++)
    for (const name of r % 2 ? ['written', 'inPlace'] : ['inPlace', 'written']) {
      const t0 = performance.now();
      const y = units[name]();
      y.dataSync();
      y.dispose();
      if (r >= 0) t[name].push(performance.now() - t0);
    }
  const [i, w] = [median(t.inPlace), median(t.written)];
  console.log(
    `unit on [1, ${size}, ${size}, 192 + 96] -> 384 -> ${out}: parts read in place ${i.toFixed(3)} ms, Concat + unit ${w.toFixed(3)} ms: ${(w / i).toFixed(3)}x`,
  );
  tf.dispose([a, b, w1, w2, b1, b2]);
}

const source = createModel('imagenet-wavemix-192-16', { overrides: { inputSize: [224, 224] } });
const inPlace = optimizeForInference(source, { rules: LOAD_REWRITE_RULES });
const written = optimizeForInference(source, {
  rules: LOAD_REWRITE_RULES.filter((rule) => rule.name !== 'read-concat-in-pointwise-mlp'),
});
const concats = (m) => m.layers.filter((l) => l.getClassName() === 'Concatenate').length;
const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 1);
/** Wall ms and this process's CPU ms (robust to waiting for the core) of one step. */
const step = (model) => {
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  const y = model.apply(x, { training: false });
  y.dataSync();
  y.dispose();
  const c = process.cpuUsage(c0);
  return [performance.now() - t0, (c.user + c.system) / 1000];
};
const times = { inPlace: [], written: [] };
const cpu = { inPlace: [], written: [] };
for (const m of [inPlace, written, inPlace, written]) step(m);
for (let i = 0; i < steps; i++)
  for (const name of i % 2 ? ['written', 'inPlace'] : ['inPlace', 'written']) {
    const [wall, cpuMs] = step(name === 'inPlace' ? inPlace : written);
    times[name].push(wall);
    cpu[name].push(cpuMs);
  }
const peak = async (m) => (await tf.profile(() => step(m))).peakBytes / 2 ** 20;
const [a, b] = [median(times.inPlace), median(times.written)];
console.log(
  `W3 step (${steps} each): concatenations read in place (${concats(inPlace)} Concatenate layers) ${a.toFixed(1)} ms, ` +
    `written by Concat (${concats(written)}) ${b.toFixed(1)} ms: ${(b / a).toFixed(3)}x; ` +
    `peak tensors ${(await peak(inPlace)).toFixed(1)} / ${(await peak(written)).toFixed(1)} MiB`,
);
const [ca, cb] = [median(cpu.inPlace), median(cpu.written)];
console.log(`  process CPU per step: ${ca.toFixed(1)} / ${cb.toFixed(1)} ms: ${(cb / ca).toFixed(3)}x`);
tf.dispose(x);
if (pool) await pool.dispose();
