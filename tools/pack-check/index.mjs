#!/usr/bin/env node
// Selective installs, tested: for each publishable package under packages/, `npm pack` it (and the
// workspace packages it depends on), install it ALONE into an empty temporary project together with
// its required peer dependencies, then import every `exports` entry both as ESM and as CJS and run a
// small smoke check. It fails when a package needs something it does not declare, when an entry
// does not load in one of the two formats, or when the install pulls in a tfjs package that nobody
// in the install declared (a user who installs one package must get only what it needs).
//
//   node tools/pack-check/index.mjs [package-name ...]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);
const only = process.argv.slice(2);

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const workspaces = new Map();
for (const dir of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', dir, 'package.json');
  if (!existsSync(file)) continue;
  const manifest = readJson(file);
  if (!manifest.private) workspaces.set(manifest.name, { dir: join(root, 'packages', dir), manifest });
}

/** Packages a smoke check needs beyond the package's own required peers. */
const smokeExtras = {
  '@wavemix/core': ['@tensorflow/tfjs-backend-cpu'],
  '@wavemix/layers': ['@tensorflow/tfjs-backend-cpu'],
  '@wavemix/models': ['@tensorflow/tfjs-backend-cpu'],
  '@wavemix/metrics': ['@tensorflow/tfjs-backend-cpu'],
  '@wavemix/onnx': ['@tensorflow/tfjs-backend-cpu'],
};

const registers = (backend) => `
    const tf = load('@tensorflow/tfjs-core');
    if (!tf.getKernel('WaveMixDwt2D', '${backend}')) throw new Error('importing the package did not register its ${backend} kernels');`;

/**
 * Smoke checks beyond "it loads", per export entry: code run in the temporary project, in both
 * formats, with `m` the imported entry and `load` a require from the project.
 */
const smoke = {
  '@wavemix/core': `
    const tf = load('@tensorflow/tfjs-core'); load('@tensorflow/tfjs-backend-cpu');
    const v = Array.from(m.dwt2d(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1])).dataSync());
    if (v.join() !== '5,-2,-1,0') throw new Error('dwt2d gave ' + v);`,
  '@wavemix/kernels-cpu': registers('cpu'),
  '@wavemix/kernels-wasm': `${registers('wasm')}
    if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) throw new Error('importing the package did not register the wasm training kernels');`,
  '@wavemix/kernels-webgl': registers('webgl'),
  '@wavemix/kernels-webgpu': registers('webgpu'),
  '@wavemix/kernels-node': registers('tensorflow'),
  '@wavemix/layers': `
    const tf = load('@tensorflow/tfjs-core'); load('@tensorflow/tfjs-backend-cpu');
    const y = new m.DWT2D({ levels: 1 }).apply(tf.ones([1, 4, 4, 2]));
    if (y.shape.join() !== '1,2,2,8') throw new Error('DWT2D gave shape ' + y.shape);`,
  '@wavemix/models': `
    const tf = load('@tensorflow/tfjs-core'); load('@tensorflow/tfjs-backend-cpu');
    const model = m.createModel({ task: 'classification', numClasses: 3, depth: 1, finalDim: 8, ffChannel: 8, level: 1,
      initialConv: 'strided', stride: 1, inChannels: 1, inputSize: [8, 8] });
    const y = model.predict(tf.ones([2, 8, 8, 1]));
    if (y.shape.join() !== '2,3' || m.countTrainableParams(model) <= 0) throw new Error('createModel gave ' + y.shape);`,
  '@wavemix/datasets': `
    const idx = m.parseIdx(m.encodeIdx({ dtype: 'uint8', shape: [2, 2], data: Uint8Array.of(1, 2, 3, 4) }));
    if (idx.shape.join() !== '2,2' || Array.from(idx.data).join() !== '1,2,3,4') throw new Error('IDX round trip failed');`,
  '@wavemix/datasets/node': `
    const mnist = await m.loadDataset('mnist', { split: 'test' });
    if (mnist.size !== 10000 || mnist.numClasses !== 10) throw new Error('bundled MNIST: ' + mnist.size);`,
  '@wavemix/parallel': `
    if (typeof m.DataParallel.create !== 'function' || m.shardSizes(5, 2).join() !== '3,2') throw new Error('parallel exports');`,
  '@wavemix/metrics': `
    if (m.psnr(Float32Array.of(0.5, 0.25), Float32Array.of(0.5, 0.25), { dataRange: 1 }) !== Infinity) throw new Error('psnr');`,
  // The exporter works without onnxruntime (an optional peer, not installed here).
  '@wavemix/onnx': `
    load('@tensorflow/tfjs-backend-cpu');
    const model = load('@wavemix/models').createModel({ task: 'classification', numClasses: 3, depth: 1, finalDim: 8, ffChannel: 8,
      level: 1, initialConv: 'strided', stride: 1, inChannels: 1, inputSize: [8, 8] });
    const bytes = await m.exportOnnx(model);
    const problems = m.checkOnnxModel(bytes);
    if (problems.length > 0 || m.onnxOpCounts(bytes).Conv !== 7) throw new Error('exportOnnx: ' + problems.join('; '));`,
};

function npm(args, cwd) {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function internalClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const { manifest } = workspaces.get(name);
  for (const dep of Object.keys(manifest.dependencies ?? {})) if (workspaces.has(dep)) internalClosure(dep, seen);
  return seen;
}

function requiredPeers(manifest) {
  const optional = manifest.peerDependenciesMeta ?? {};
  return Object.entries(manifest.peerDependencies ?? {}).filter(([name]) => !optional[name]?.optional);
}

/** The version of a dependency installed at the repo root, so the check runs offline from cache. */
function rootVersion(name) {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? readJson(file).version : undefined;
}

const tarballDir = mkdtempSync(join(tmpdir(), 'wavemix-pack-'));
const tarballs = new Map();
function pack(name) {
  if (!tarballs.has(name)) {
    const { dir } = workspaces.get(name);
    const [info] = JSON.parse(npm(['pack', '--json', '--pack-destination', tarballDir], dir));
    tarballs.set(name, join(tarballDir, info.filename));
  }
  return tarballs.get(name);
}

let failures = 0;
const names = only.length ? only : [...workspaces.keys()].sort();
for (const name of names) {
  const started = Date.now();
  const project = mkdtempSync(join(tmpdir(), 'wavemix-install-'));
  try {
    const closure = [...internalClosure(name)];
    const peers = new Map();
    for (const member of closure) {
      for (const [peer, range] of requiredPeers(workspaces.get(member).manifest)) {
        if (!workspaces.has(peer)) peers.set(peer, rootVersion(peer) ?? range);
      }
    }
    for (const extra of smokeExtras[name] ?? []) peers.set(extra, rootVersion(extra));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'pack-check', private: true, version: '0.0.0' }),
    );
    npm(
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--no-package-lock',
        '--loglevel=error',
        ...closure.map(pack),
        ...[...peers].map(([peer, version]) => `${peer}@${version}`),
      ],
      project,
    );

    // Only what it needs: every installed tfjs package must be declared by someone in the install.
    const declared = new Set([...peers.keys()]);
    const installedTf = existsSync(join(project, 'node_modules/@tensorflow'))
      ? readdirSync(join(project, 'node_modules/@tensorflow')).map((d) => `@tensorflow/${d}`)
      : [];
    for (const pkg of installedTf) {
      const manifest = readJson(join(project, 'node_modules', pkg, 'package.json'));
      for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...requiredPeers(manifest).map(([d]) => d)])
        declared.add(dep);
    }
    const extra = installedTf.filter((pkg) => !declared.has(pkg));
    if (extra.length) throw new Error(`installing ${name} pulled in undeclared ${extra.join(', ')}`);

    const entries = Object.keys(workspaces.get(name).manifest.exports).filter((k) => !k.endsWith('.json'));
    for (const entry of entries) {
      const specifier = entry === '.' ? name : `${name}/${entry.slice(2)}`;
      const check = smoke[specifier] ?? '';
      const esm = `import { createRequire } from 'node:module'; const load = createRequire(process.cwd() + '/x.js');
        const m = await import('${specifier}');
        if (Object.keys(m).length === 0) throw new Error('no exports');
        ${check}`;
      const cjs = `(async () => { const load = require; const m = require('${specifier}');
        if (Object.keys(m).length === 0) throw new Error('no exports');
        ${check} })().catch((e) => { console.error(e); process.exit(1); });`;
      execFileSync('node', ['--input-type=module', '-e', esm], { cwd: project, stdio: 'pipe' });
      execFileSync('node', ['-e', cjs], { cwd: project, stdio: 'pipe' });
    }
    console.log(
      `ok   ${name}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} x ESM+CJS, installed with ${[...peers.keys()].join(', ') || 'no peers'} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  } catch (error) {
    failures++;
    console.error(`FAIL ${name}: ${error.stderr?.toString() || error.message}`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
rmSync(tarballDir, { recursive: true, force: true });
if (failures) {
  console.error(`${failures} package(s) failed the selective-install check`);
  process.exit(1);
}
