#!/usr/bin/env node
/**
 * Dropout forward + gradient on wasm: @wavemix/core's seededDropout (the wave blocks'
 * WaveMixDropout: one kernel, mask hashed from seed and index) against tfjs' `tf.dropout` (mask
 * drawn element by element in JavaScript), alternated in one process. Median ms of the rounds.
 * Needs `npm run build` first.
 *
 *   node tools/bench/scripts/dropout-ab.mjs [--rounds 9]
 */
import * as tf from '@tensorflow/tfjs';
import { seededDropout } from '@wavemix/core';
import { useWasmTraining } from '@wavemix/kernels-wasm';

const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 9;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
await useWasmTraining();
// W5's and W1's feed-forward masks.
for (const shape of [
  [128, 14, 14, 32],
  [64, 16, 16, 128],
]) {
  const x = tf.randomNormal(shape);
  const dy = tf.randomNormal(shape);
  const ours = () => tf.grad((v) => seededDropout(v, 0.5, Math.floor(Math.random() * 2 ** 32)))(x, dy);
  const stock = () => tf.grad((v) => tf.dropout(v, 0.5))(x, dy);
  const times = { ours: [], stock: [] };
  for (let r = -1; r < rounds; r++)
    for (const [name, f] of [
      ['ours', ours],
      ['stock', stock],
    ]) {
      const t0 = performance.now();
      const g = f();
      g.dataSync();
      g.dispose();
      if (r >= 0) times[name].push(performance.now() - t0);
    }
  console.log(
    `dropout 0.5 forward + gradient [${shape}]: seededDropout ${median(times.ours).toFixed(2)} ms, tf.dropout ${median(times.stock).toFixed(2)} ms`,
  );
  tf.dispose([x, dy]);
}
