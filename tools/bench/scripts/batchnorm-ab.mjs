#!/usr/bin/env node
/**
 * The wave blocks' BatchNormalization in training: the fused BatchNormTraining kernels (wasm)
 * against the composite they replace (tf.moments + tf.batchNorm and their tfjs gradients), by
 * unregistering the kernel between steps of one process, so machine load hits both alike:
 * one [64, 32, 32, 64] layer forward + gradient, then whole W1 and W5 training steps (one thread).
 * Median ms of the rounds, and the step's peak tensor memory (tf.profile). Needs `npm run build` first.
 *
 *   node tools/bench/scripts/batchnorm-ab.mjs [--rounds 9] [--steps 6]
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNormTraining, leanVariableGrads } from '@wavemix/core';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { waveMixBatchNormalization } from '@wavemix/layers';
import { createModel } from '@wavemix/models';
import { computeLoss } from '@wavemix/models/training';
import { WORKLOADS } from '../dist/workloads.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('rounds', 9);
const steps = arg('steps', 6);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

await useWasmTraining();
const fused = tf.getKernel(BatchNormTraining, 'wasm');
if (!fused) throw new Error('the wasm BatchNormTraining kernel is not registered');
/** The A/B switch: with the kernel unregistered, the op (and so the layer) runs the composite. */
const use = (on) => {
  const registered = tf.getKernel(BatchNormTraining, 'wasm') != null;
  if (on && !registered) tf.registerKernel(fused);
  if (!on && registered) tf.unregisterKernel(BatchNormTraining, 'wasm');
};

/** Median ms of `run` (async, returns ms) with the kernel on and off, alternated. */
async function ab(run, count) {
  const times = { on: [], off: [] };
  for (const on of [true, false]) {
    use(on);
    await run();
  }
  for (let i = 0; i < count; i++)
    for (const on of i % 2 ? [false, true] : [true, false]) {
      use(on);
      times[on ? 'on' : 'off'].push(await run());
    }
  use(true);
  return [median(times.on), median(times.off)];
}

async function peakMiB(run, on) {
  use(on);
  const info = await tf.profile(run);
  use(true);
  return info.peakBytes / 2 ** 20;
}

const report = (name, [on, off], extra = '') =>
  console.log(
    `${name.padEnd(46)} fused ${on.toFixed(2).padStart(8)} ms  composite ${off.toFixed(2).padStart(8)} ms  ${(off / on).toFixed(2)}x${extra}`,
  );

console.log(`${rounds} rounds, ${steps} steps, load ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
{
  const shape = [64, 32, 32, 64];
  const layer = waveMixBatchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9 });
  const x = tf.randomNormal(shape, 1, 2);
  const dy = tf.randomNormal(shape);
  layer.apply(x);
  const f = tf.grad((v) => tf.mul(layer.apply(v, { training: true }), dy));
  const run = async () => {
    const t0 = performance.now();
    const g = f(x);
    await g.data();
    g.dispose();
    return performance.now() - t0;
  };
  report(`BatchNorm [${shape}] training forward + gradient`, await ab(run, rounds));
  tf.dispose([x, dy]);
  layer.dispose();
}

for (const name of ['W1', 'W5']) {
  const workload = WORKLOADS[name];
  const model = workload.model ? createModel(workload.model) : createModel(workload.config);
  const shape = [workload.batchSize, ...model.inputs[0].shape.slice(1)];
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([shape[0]], 0, 10, 'int32', 2), 10).toFloat();
  const step = () => {
    const { value, grads } = leanVariableGrads(() =>
      computeLoss('softmaxCrossEntropy', model.apply(x, { training: true }), y),
    );
    value.dataSync();
    tf.dispose([value, grads]);
  };
  const timed = async () => {
    const t0 = performance.now();
    step();
    return performance.now() - t0;
  };
  const result = await ab(timed, steps);
  const [peakOn, peakOff] = [await peakMiB(step, true), await peakMiB(step, false)];
  report(
    `${name} step (${workload.description})`,
    result,
    `  peak tensors ${peakOn.toFixed(0)} / ${peakOff.toFixed(0)} MiB`,
  );
  tf.dispose([x, y]);
  model.dispose();
}
