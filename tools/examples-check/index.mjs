#!/usr/bin/env node
// The example consumers in examples/, built and run from the packed tarballs (built dist/
// required: `npm run build`), offline from the npm cache:
//   - every tarball holds LICENSE, README.md, CHANGELOG.md and dist/, and no sources;
//   - examples/node-esm classifies an image on wasm, examples/node-cjs scores MNIST on cpu and
//     shows `isInstance` working across the ESM and CJS copies where `instanceof` does not;
//   - examples/vite-browser is built with Vite and classifies the same image in headless Chromium
//     on WebGL and on WebGPU: same classes and probabilities as Node's wasm run (1e-3);
//   - gzip bundle sizes per entry point (sizes.mjs) must stay within 10 % of docs/bundle-sizes.md.
// Checkpoints come from a local mirror of freshly initialised weights (no network).
//
//   node tools/examples-check/index.mjs [--update-sizes]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, installProject, internalClosure, packAll, publishablePackages } from '../readme-check/install.mjs';
import { runPage, serveStatic } from './browser.mjs';
import { checkSizes } from './sizes.mjs';

const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const failures = [];
function check(condition, message) {
  if (!condition) failures.push(message);
  return condition;
}
/** Prints `ok` or `FAIL` for a step, by whether it added failures since `before`. */
function report(before, what) {
  console.log(`${failures.length === before ? 'ok  ' : 'FAIL'} ${what} (${seconds()})`);
}

/** Copies examples/<name> into `work` and installs its dependencies: @wavemix/* from tarballs. */
function installExample(name, work, tarballs) {
  const project = join(work, name);
  cpSync(join(REPO_ROOT, 'examples', name), project, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  const wanted = { ...manifest.dependencies, ...manifest.devDependencies };
  const internal = internalClosure(Object.keys(wanted).filter((dep) => dep.startsWith('@wavemix/')));
  const external = Object.keys(wanted).filter((dep) => !dep.startsWith('@wavemix/'));
  // The example's own ranges are for users; here every package is installed at the repo root's version.
  delete manifest.dependencies;
  delete manifest.devDependencies;
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  installProject({ project, tarballs: internal.map((dep) => tarballs.get(dep).file), dependencies: external });
  return project;
}

const run = (file, cwd, env = {}) =>
  execFileSync('node', [file], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
    env: { ...process.env, ...env },
  });

const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const work = mkdtempSync(join(tmpdir(), 'wavemix-examples-'));
try {
  mkdirSync(join(work, 'tarballs'));
  const tarballs = packAll(join(work, 'tarballs'));
  const packages = publishablePackages();
  for (const [name, { files }] of tarballs) {
    // node10 (`moduleResolution: node`) users see subpath exports only through typesVersions.
    const { exports: exportMap, typesVersions } = packages.get(name).manifest;
    for (const key of Object.keys(exportMap).filter((k) => k !== '.' && !k.endsWith('.json'))) {
      check(
        typesVersions?.['*']?.[key.slice(2)]?.[0] === exportMap[key].require.types,
        `${name}: typesVersions has no '${key.slice(2)}' -> ${exportMap[key].require.types}`,
      );
    }
    for (const required of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']) {
      check(files.includes(required), `${name}: the tarball has no ${required}`);
    }
    check(
      files.some((f) => f.startsWith('dist/')),
      `${name}: the tarball has no dist/`,
    );
    check(!files.some((f) => f.startsWith('src/')), `${name}: the tarball ships src/`);
    const license = execFileSync('tar', ['-xOzf', tarballs.get(name).file, 'package/LICENSE'], { encoding: 'utf8' });
    check(
      license === readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8'),
      `${name}: its LICENSE differs from the repository's`,
    );
  }
  report(
    0,
    `packed ${tarballs.size} packages; each has LICENSE, README.md, CHANGELOG.md, dist/, no src/, typesVersions for every subpath`,
  );

  // Node ESM, and the checkpoint mirror written with the installed @wavemix/models.
  const esm = installExample('node-esm', work, tarballs);
  const mirror = join(work, 'weights');
  writeFileSync(
    join(esm, 'make-mirror.mjs'),
    `
    import '@tensorflow/tfjs';
    import { mkdirSync, writeFileSync } from 'node:fs';
    import { dirname } from 'node:path';
    import { createModel, exportPyTorchWeights, getModelInfo, mirroredUrl } from '@wavemix/models';
    const name = 'cifar10-wavemix-lite-144-7';
    const file = mirroredUrl(getModelInfo(name).weightsUrl, ${JSON.stringify(mirror)});
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, exportPyTorchWeights(createModel(name)));`,
  );
  run('make-mirror.mjs', esm);
  let before = failures.length;
  const nodeResult = JSON.parse(run('index.mjs', esm, { WAVEMIX_WEIGHTS_BASE_URL: mirror }).trim().split('\n').pop());
  const probabilities = nodeResult.top3.map((c) => c.probability);
  check(
    nodeResult.backend === 'wasm' && nodeResult.kernels === true,
    `node-esm: backend ${nodeResult.backend}, kernels ${nodeResult.kernels} (want wasm, true)`,
  );
  check(
    nodeResult.top3.length === 3 && nodeResult.top3.every((c) => CIFAR10.includes(c.className)),
    `node-esm: top3 ${JSON.stringify(nodeResult.top3)}`,
  );
  check(
    probabilities.every((p, i) => p > 0 && p <= 1 && (i === 0 || p <= probabilities[i - 1])),
    `node-esm: probabilities ${probabilities}`,
  );
  report(before, `examples/node-esm: ${JSON.stringify(nodeResult)}`);

  // Node CommonJS.
  const cjs = installExample('node-cjs', work, tarballs);
  before = failures.length;
  const cjsResult = JSON.parse(run('index.js', cjs).trim().split('\n').pop());
  check(
    cjsResult.backend === 'cpu' && cjsResult.kernels === true,
    `node-cjs: backend ${cjsResult.backend}, kernels ${cjsResult.kernels}`,
  );
  check(
    cjsResult.images === 256 && cjsResult.accuracy >= 0 && cjsResult.accuracy <= 1,
    `node-cjs: ${JSON.stringify(cjsResult)}`,
  );
  check(
    cjsResult.crossCopy?.instanceofWorks === false && cjsResult.crossCopy?.isInstanceWorks === true,
    `node-cjs: across the ESM and CJS copies instanceof should fail and isInstance hold: ${JSON.stringify(cjsResult.crossCopy)}`,
  );
  report(before, `examples/node-cjs: ${JSON.stringify(cjsResult)}`);

  // Vite, then the page on WebGL and WebGPU.
  const vite = installExample('vite-browser', work, tarballs);
  // Vite only strips types: type-check the page against the installed packages' declarations.
  before = failures.length;
  writeFileSync(
    join(vite, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      include: ['main.ts'],
    }),
  );
  try {
    execFileSync('node', [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: vite,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    check(false, `vite-browser: main.ts does not type-check:\n${error.stdout}${error.stderr}`);
  }
  report(before, 'examples/vite-browser type-checks');
  execFileSync(join(vite, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
    cwd: vite,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  const assets = readdirSync(join(vite, 'dist/assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(vite, 'dist/assets', f));
  console.log(`ok   examples/vite-browser built: ${assets.length} JS file(s) (${seconds()})`);
  const { server, origin } = await serveStatic(join(vite, 'dist'), { '/weights/': mirror });
  try {
    for (const backend of ['webgl', 'webgpu']) {
      before = failures.length;
      const { result, errors, foreign } = await runPage(`${origin}/index.html?backend=${backend}`);
      check(
        !errors.length && !foreign.length,
        `vite-browser (${backend}): errors ${errors.join('; ')}; non-local requests ${foreign.join(', ')}`,
      );
      if (!check(result && !result.error, `vite-browser (${backend}): ${JSON.stringify(result)}`)) continue;
      check(
        result.backend === backend && result.kernels === true,
        `vite-browser: ran on ${result.backend}, kernels ${result.kernels} (want ${backend}, true)`,
      );
      const same = result.top3.every(
        (c, i) =>
          c.className === nodeResult.top3[i].className &&
          Math.abs(c.probability - nodeResult.top3[i].probability) <= 1e-3,
      );
      check(
        same,
        `vite-browser (${backend}) top3 ${JSON.stringify(result.top3)} differs from Node's wasm ${JSON.stringify(nodeResult.top3)}`,
      );
      report(before, `examples/vite-browser on ${backend}: ${JSON.stringify(result.top3)}`);
    }
  } finally {
    server.close();
  }

  // Bundle sizes.
  const sizeFailures = await checkSizes({
    work,
    tarballs,
    viteAssets: assets,
    update: process.argv.includes('--update-sizes'),
  });
  failures.push(...sizeFailures);
  console.log(`bundle sizes checked (${seconds()})`);
} catch (error) {
  failures.push(error.stderr?.toString() || error.stack || String(error));
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`FAIL\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`examples: all passed (${seconds()})`);
