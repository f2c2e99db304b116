#!/usr/bin/env node
/**
 * The wasm WaveletPyramid kernel (csrc/haar.inc.c, SIMD) against the JavaScript reference it
 * replaced (@wavemix/core's haarPyramid on heap views, registered in its place), alternated in one
 * process: W3's pyramid, W1's and W5's level. Median ms per call. Needs `npm run build` first.
 *
 *   node tools/bench/scripts/haar-ab.mjs
 */
import * as tf from '@tensorflow/tfjs';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { waveletPyramid, haarPyramid, pyramidShapes, WaveletPyramid } from '@wavemix/core';
await useWasmTraining();
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const simd = tf.getKernel(WaveletPyramid, 'wasm');
// The kernel as it was: the JavaScript reference on heap views.
const jsKernel = {
  ...simd,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const x = inputs.x;
    const shapes = pyramidShapes(x.shape, attrs.levels);
    const outs = shapes.map((s) => backend.makeOutput([...s], 'float32'));
    const view = (t) => backend.typedArrayFromHeap(t);
    haarPyramid(view(x), x.shape, attrs.levels, outs.map(view));
    return outs;
  },
};
const use = (config) => {
  tf.unregisterKernel(WaveletPyramid, 'wasm');
  tf.registerKernel(config);
};
for (const [shape, levels] of [
  [[1, 56, 56, 48], 3],
  [[64, 32, 32, 16], 1],
  [[128, 28, 28, 4], 1],
]) {
  const x = tf.randomNormal(shape);
  const time = () => {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) tf.dispose(waveletPyramid(x, levels));
    return (performance.now() - t0) / 10;
  };
  const a = [],
    b = [];
  for (let i = 0; i < 15; i++) {
    use(simd);
    a.push(time());
    use(jsKernel);
    b.push(time());
  }
  console.log(
    `pyramid ${JSON.stringify(shape)} L${levels}: SIMD kernel ${med(a).toFixed(3)} ms, JavaScript kernel ${med(b).toFixed(3)} ms (${(med(b) / med(a)).toFixed(2)}x)`,
  );
  x.dispose();
}
process.exit(0);
