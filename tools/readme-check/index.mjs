#!/usr/bin/env node
// README snippets, executed: every TypeScript/JavaScript block of the root and package READMEs
// runs where its info string says (see blocks.mjs), against the packed tarballs installed into a
// temporary project (built dist/ required: `npm run build`), so a README cannot drift from the
// API. TypeScript blocks are type-checked first; illustrative ones only that.
// Checkpoints: `load('<registry name>')` reads from a local mirror of freshly initialised weights
// (WAVEMIX_WEIGHTS_BASE_URL in Node, /weights/ next to the page in the browser); no network.
//
//   node tools/readme-check/index.mjs [--list] [--only <substring of README path or block id>]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { extractBlocks, isTypeScript, readmeFiles } from './blocks.mjs';
import { runBrowserBlocks } from './browser.mjs';
import { REPO_ROOT, installProject, packAll, publishablePackages } from './install.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

const all = readmeFiles(REPO_ROOT).flatMap((file) => extractBlocks(REPO_ROOT, file));
const problems = all.filter((b) => b.problem).map((b) => b.problem);
const blocks = all.filter((b) => !b.problem && (!only || b.file.includes(only) || b.id.includes(only)));
if (args.includes('--list')) {
  for (const b of all) console.log(`${b.file}:${b.line} ${b.language} ${b.environment || '(none)'}`);
  process.exit(0);
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}

// Third-party modules the blocks import, installed at the root's versions (tfjs, peers, ...).
const packages = publishablePackages();
const dependencies = new Set(['@types/node']);
for (const { manifest } of packages.values()) {
  const optional = manifest.peerDependenciesMeta ?? {};
  for (const peer of Object.keys(manifest.peerDependencies ?? {}))
    if (!optional[peer]?.optional) dependencies.add(peer);
}
for (const block of blocks) {
  for (const [, specifier] of block.code.matchAll(
    /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g,
  )) {
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (name.startsWith('@wavemix/') || name.startsWith('node:') || builtinModules.includes(name)) continue;
    // What the root does not have (tfjs-node-gpu, ...) can only appear in illustrative JS blocks.
    if (existsSync(join(REPO_ROOT, 'node_modules', name, 'package.json'))) dependencies.add(name);
  }
}

const work = mkdtempSync(join(tmpdir(), 'wavemix-readme-'));
let failures = 0;
try {
  mkdirSync(join(work, 'tarballs'));
  const tarballs = packAll(join(work, 'tarballs'));
  const project = join(work, 'project');
  mkdirSync(project);
  installProject({
    project,
    tarballs: [...tarballs.values()].map((t) => t.file),
    dependencies: [...dependencies],
    manifest: { type: 'module' },
  });
  console.log(`installed ${tarballs.size} tarballs + ${[...dependencies].join(', ')} (${seconds()})`);

  // The local checkpoint mirror, in the official layout.
  const names = new Set(
    blocks.flatMap((b) => [...b.code.matchAll(/\b(?:load|createModel)\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1])),
  );
  const weights = join(project, 'weights');
  if (names.size) {
    writeFileSync(
      join(project, 'make-mirror.mjs'),
      `
      import '@tensorflow/tfjs-backend-cpu';
      import { mkdirSync, writeFileSync } from 'node:fs';
      import { dirname } from 'node:path';
      import { createModel, exportPyTorchWeights, getModelInfo, mirroredUrl } from '@wavemix/models';
      for (const name of ${JSON.stringify([...names])}) {
        const { weightsUrl } = getModelInfo(name);
        if (!weightsUrl) continue;
        const file = mirroredUrl(weightsUrl, ${JSON.stringify(weights)});
        mkdirSync(dirname(file), { recursive: true });
        const model = createModel(name);
        writeFileSync(file, exportPyTorchWeights(model));
        model.dispose();
      }`,
    );
    execFileSync('node', ['make-mirror.mjs'], { cwd: project, stdio: 'inherit' });
  }

  // Type-check every TypeScript block, each as its own module.
  const typed = blocks.filter(isTypeScript);
  mkdirSync(join(project, 'blocks'));
  for (const block of typed) {
    writeFileSync(join(project, 'blocks', `${block.id}.ts`), `${block.prelude}\n${block.code}\nexport {};\n`);
  }
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        esModuleInterop: true,
      },
      include: ['blocks/*.ts'],
    }),
  );
  const tsc = spawnSync('node', [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: project,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) {
    failures++;
    console.error(`FAIL type-check (blocks/<README>_L<line>.ts):\n${tsc.stdout}${tsc.stderr}`);
  } else {
    console.log(`ok   type-check of ${typed.length} TypeScript blocks (${seconds()})`);
  }

  // Node blocks, one process each.
  mkdirSync(join(project, 'run'));
  for (const block of blocks.filter((b) => b.environment === 'node' || b.environment === 'node-cjs')) {
    const cjs = block.environment === 'node-cjs';
    const source = `${block.prelude}\n${block.code}\n`;
    const js = isTypeScript(block) ? transformSync(source, { loader: 'ts', format: cjs ? 'cjs' : 'esm' }).code : source;
    const file = join(project, 'run', `${block.id}.${cjs ? 'cjs' : 'mjs'}`);
    writeFileSync(file, js);
    const t0 = Date.now();
    const result = spawnSync('node', [file], {
      cwd: project,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, WAVEMIX_WEIGHTS_BASE_URL: weights },
    });
    const took = `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    const missing = block.expect.filter((text) => !result.stdout.includes(text));
    if (result.status === 0 && missing.length) {
      failures++;
      console.error(
        `FAIL ${block.file}:${block.line} (${block.environment}, ${took}): output lacks ${missing.map((t) => JSON.stringify(t)).join(', ')}:\n${result.stdout}`,
      );
    } else if (result.status === 0) {
      console.log(`ok   ${block.file}:${block.line} (${block.environment}, ${took})`);
    } else {
      failures++;
      console.error(
        `FAIL ${block.file}:${block.line} (${block.environment}, ${took}, exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`,
      );
    }
  }

  const browserBlocks = blocks.filter((b) => b.environment === 'browser');
  if (browserBlocks.length) failures += await runBrowserBlocks(browserBlocks, { project, weights });
  for (const block of blocks.filter((b) => b.environment === 'illustrative')) {
    console.log(
      `ok   ${block.file}:${block.line} (illustrative: ${isTypeScript(block) ? 'type-checked only' : 'JavaScript, neither run nor type-checked'})`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`${blocks.length} README blocks, ${failures} failure(s), ${seconds()}`);
if (failures) process.exit(1);
