#!/usr/bin/env node
/**
 * Two settings of the kernel threads, each against its alternative, step by step in one process
 * (so machine load hits both alike), on 2 threads:
 * - the shared filter cache (packed filters kept in the pool's shared memory) against packing on
 *   the heap and copying into the shared memory on every call (`setSharedFilterCache(false)`,
 *   what the threaded kernels did before): W3's largest threaded layer and whole W3 steps;
 * - idle threads spinning `--spin` ms (default DEFAULT_KERNEL_THREAD_SPIN_MS) before they park,
 *   against parking at once (`spinMs = 0`): whole W3 steps.
 * Median ms; the shared memory the cache holds. Needs `npm run build` first.
 *
 *   node tools/bench/scripts/kernel-threads-ab.mjs [--rounds 9] [--spin 20]
 */
import * as tf from '@tensorflow/tfjs';
import { getKernelThreadPool, setSharedFilterCache, sharedFilterCache, useWasmTraining } from '@wavemix/kernels-wasm';
import { createModel, LOAD_REWRITE_RULES, optimizeForInference } from '@wavemix/models';
import { DEFAULT_KERNEL_THREAD_SPIN_MS, enableKernelThreads } from '@wavemix/parallel';

const flag = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const rounds = flag('rounds', 9);
const spin = flag('spin', DEFAULT_KERNEL_THREAD_SPIN_MS);
await useWasmTraining();
const threads = enableKernelThreads({ threads: 2, spinMs: spin });
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const timeOf = (f) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
/** Median ms of `run` under `set(true)` and `set(false)`, alternated (order swapped every round). */
const ab = (label, [onLabel, offLabel], set, run) => {
  const times = { on: [], off: [] };
  for (const on of [true, false]) {
    set(on);
    run();
  }
  for (let i = 0; i < rounds; i++) {
    for (const on of i % 2 ? [false, true] : [true, false]) {
      set(on);
      times[on ? 'on' : 'off'].push(timeOf(run));
    }
  }
  set(true);
  const [a, b] = [med(times.on), med(times.off)];
  console.log(`${label}: ${onLabel} ${a.toFixed(2)} ms, ${offLabel} ${b.toFixed(2)} ms (${(b / a).toFixed(2)}x)`);
};
const cacheSwitch = ['filters cached', 'copied every call'];
const useCache = (on) => setSharedFilterCache(on);

// W3's level-1 ConvTranspose (192 -> 192, 28 -> 56): the largest packed filter of the step.
// (tidy's callbacks return nothing: tidy would walk a returned typed array element by element)
const dy = tf.randomNormal([1, 28, 28, 192]);
const w = tf.randomNormal([4, 4, 192, 192]);
ab('ConvTranspose [1, 28, 28, 192] -> 192', cacheSwitch, useCache, () =>
  tf.tidy(() => {
    tf.conv2dTranspose(dy, w, [1, 56, 56, 192], 2, 'same').dataSync();
  }),
);

const model = createModel('imagenet-wavemix-192-16', { overrides: { inputSize: [224, 224] } });
const inference = optimizeForInference(model, { rules: LOAD_REWRITE_RULES });
const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 1);
const w3Step = () =>
  tf.tidy(() => {
    inference.apply(x, { training: false }).dataSync();
  });
ab('W3 inference step, 2 threads', cacheSwitch, useCache, w3Step);
ab(
  'W3 inference step, 2 threads',
  [`spin ${spin} ms`, 'park at once'],
  (on) => {
    threads.spinMs = on ? spin : 0;
  },
  w3Step,
);
const cache = sharedFilterCache(getKernelThreadPool());
const mib = (bytes) => (bytes / 2 ** 20).toFixed(0);
console.log(
  `filter cache: ${cache.size} packed tensors, ${mib(cache.bytes)} MiB; pool memory ${mib(getKernelThreadPool().memory.buffer.byteLength)} MiB`,
);
await threads.dispose();
