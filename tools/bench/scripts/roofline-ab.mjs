#!/usr/bin/env node
/**
 * A/B of a kernel-module change on a busy machine: bundles the roofline's kernel half with the
 * working tree's relaxed-SIMD module as `relaxed-simd` and a baseline relaxed-SIMD module (by
 * default the one committed at HEAD) in the `simd` slot, so one process alternates the two call by
 * call (setWasmSimdVariant), best of N each: other load hits both alike. Rows labelled
 * `relaxed-simd` are the new module, `simd` the baseline (a revision from before the relaxed build:
 * its plain module). Kernels the change does not touch are the
 * control (expect them within a few %).
 *
 *   node scripts/build-wasm.mjs (in packages/kernels-wasm) first, then
 *   node tools/bench/scripts/roofline-ab.mjs [--base REV] [--repeats 15]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const generated = 'packages/kernels-wasm/src/train/train_kernels_wasm.ts';
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const base = arg('base', 'HEAD');
const repeats = arg('repeats', '15');

/** The `export const NAME = ...;` statement of a generated module. */
const statement = (text, name) => {
  const start = text.indexOf(`export const ${name} =`);
  if (start < 0) throw new Error(`${name} not found in the generated module`);
  return text.slice(start, text.indexOf(';', start) + 1);
};

const current = readFileSync(join(root, generated), 'utf8');
const baseline = execFileSync('git', ['show', `${base}:${generated}`], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 1 << 26,
});
// a revision from before the relaxed-SIMD build has only the plain module: compare against that
const baseName = baseline.includes('export const TRAIN_KERNELS_RELAXED_WASM_BASE64 =')
  ? 'TRAIN_KERNELS_RELAXED_WASM_BASE64'
  : 'TRAIN_KERNELS_WASM_BASE64';
const swapped = current.replace(
  statement(current, 'TRAIN_KERNELS_WASM_BASE64'),
  statement(baseline, baseName).replace(baseName, 'TRAIN_KERNELS_WASM_BASE64'),
);
const dir = join(root, '.bench/roofline-ab');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'train_kernels_wasm.ts'), swapped);
await build({
  entryPoints: [join(root, 'tools/bench/src/roofline.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: join(dir, 'roofline.mjs'),
  external: ['@tensorflow/*', 'onnxruntime-node'],
  alias: { '@wavemix/kernels-wasm': join(root, 'packages/kernels-wasm/src/index.ts') },
  logLevel: 'error',
  plugins: [
    {
      name: 'baseline-module',
      setup: (b) =>
        b.onResolve({ filter: /train_kernels_wasm$/ }, () => ({ path: join(dir, 'train_kernels_wasm.ts') })),
    },
  ],
});
console.log(
  `new = working tree (rows 'relaxed-simd'), baseline = ${base}'s ${baseName === 'TRAIN_KERNELS_WASM_BASE64' ? 'plain' : 'relaxed'} module (rows 'simd')`,
);
const run = spawnSync(
  'node',
  [join(dir, 'roofline.mjs'), '--kernels-only', '--repeats', repeats, '--out', join(dir, 'roofline-ab.json')],
  {
    cwd: root,
    stdio: ['ignore', 'inherit', 'ignore'],
  },
);
process.exit(run.status ?? 1);
