// Throwaway: per-kernel wall time of W3 inference (wasm, our kernels), grouped by kernel + shape.
import * as tf from '@tensorflow/tfjs';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { createModel, optimizeForInference, LOAD_REWRITE_RULES } from '@wavemix/models';
import { enableKernelThreads } from '@wavemix/parallel';
const threads = Number(process.env.THREADS ?? 2);
await useWasmTraining();
const model = createModel('imagenet-wavemix-192-16', { overrides: { inputSize: [224, 224] } });
const run = optimizeForInference(model, { rules: LOAD_REWRITE_RULES });
if (threads > 1) enableKernelThreads({ threads });
const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 1);
const once = () => { const o = tf.tidy(() => run.apply(x, { training: false })); o.dataSync(); o.dispose(); };
for (let i = 0; i < 3; i++) once();
const walls = []; for (let i = 0; i < 7; i++) { const t0 = performance.now(); once(); walls.push(performance.now() - t0); } walls.sort((a, b) => a - b); const ms = walls[3];
const agg = new Map(); let total = 0;
for (let r = 0; r < 3; r++) {
  const info = await tf.profile(once);
  for (const k of info.kernels) {
    const t = typeof k.kernelTimeMs === 'number' && !k.name.endsWith('__op') ? k.kernelTimeMs : 0;
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const a = agg.get(key) ?? { ms: 0, n: 0, name: k.name }; a.ms += t / 3; a.n += 1 / 3; agg.set(key, a); total += t / 3;
  }
}
const byName = new Map();
for (const a of agg.values()) byName.set(a.name, (byName.get(a.name) ?? 0) + a.ms);
console.log(`threads ${threads}: step ${ms.toFixed(1)} ms, kernels sum ${total.toFixed(1)} ms`);
for (const [n, t] of [...byName].sort((a, b) => b[1] - a[1])) console.log(`  ${n.padEnd(28)} ${t.toFixed(1)}`);
console.log('top shapes:');
for (const [k, a] of [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`  ${a.ms.toFixed(2).padStart(7)} ms x${a.n.toFixed(0)}  ${k.slice(0, 150)}`);
