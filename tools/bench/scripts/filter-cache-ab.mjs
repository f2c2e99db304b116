#!/usr/bin/env node
/**
 * Kernel threads with the shared filter cache (packed filters copied into the pool's shared
 * memory once) against copying them on every call (`setSharedFilterCache(false)`, what the
 * threaded kernels did before), alternated step by step in one process: W3 inference on 2
 * threads and its largest threaded layer. Median ms; the shared memory the cache holds. Needs
 * `npm run build` first.
 *
 *   node tools/bench/scripts/filter-cache-ab.mjs [--rounds 9]
 */
import * as tf from '@tensorflow/tfjs';
import { getKernelThreadPool, setSharedFilterCache, sharedFilterCache, useWasmTraining } from '@wavemix/kernels-wasm';
import { createModel, LOAD_REWRITE_RULES, optimizeForInference } from '@wavemix/models';
import { enableKernelThreads } from '@wavemix/parallel';

const at = process.argv.indexOf('--rounds');
const rounds = at > 0 ? Number(process.argv[at + 1]) : 9;
await useWasmTraining();
const threads = enableKernelThreads({ threads: 2 });
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const timeOf = (f) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const ab = (label, run) => {
  const times = { cached: [], copied: [] };
  for (const cached of [true, false]) {
    setSharedFilterCache(cached);
    run();
  }
  for (let i = 0; i < rounds; i++) {
    for (const cached of i % 2 ? [false, true] : [true, false]) {
      setSharedFilterCache(cached);
      times[cached ? 'cached' : 'copied'].push(timeOf(run));
    }
  }
  setSharedFilterCache(true);
  run();
  const [a, b] = [med(times.cached), med(times.copied)];
  console.log(`${label}: cached ${a.toFixed(2)} ms, copied every call ${b.toFixed(2)} ms (${(b / a).toFixed(2)}x)`);
};

// W3's level-1 ConvTranspose (192 -> 192, 28 -> 56): the largest packed filter of the step.
const dy = tf.randomNormal([1, 28, 28, 192]);
const w = tf.randomNormal([4, 4, 192, 192]);
// (tidy's callbacks return nothing: tidy would walk a returned typed array element by element)
ab('ConvTranspose [1, 28, 28, 192] -> 192', () =>
  tf.tidy(() => {
    tf.conv2dTranspose(dy, w, [1, 56, 56, 192], 2, 'same').dataSync();
  }),
);

const model = createModel('imagenet-wavemix-192-16', { overrides: { inputSize: [224, 224] } });
const inference = optimizeForInference(model, { rules: LOAD_REWRITE_RULES });
const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 1);
ab('W3 inference step, 2 threads', () =>
  tf.tidy(() => {
    inference.apply(x, { training: false }).dataSync();
  }),
);
const cache = sharedFilterCache(getKernelThreadPool());
const mib = (bytes) => (bytes / 2 ** 20).toFixed(0);
console.log(
  `filter cache: ${cache.size} packed tensors, ${mib(cache.bytes)} MiB; pool memory ${mib(getKernelThreadPool().memory.buffer.byteLength)} MiB`,
);
await threads.dispose();
