#!/usr/bin/env node
// Dependency rules of the package map, checked on the sources (tests excluded) and manifests:
// - models, layers, datasets, metrics and core never import a kernel package (apps and users opt in);
// - core imports no other @wavemix package; kernel packages import only core;
// - every @wavemix import is declared in the package's dependencies, with an exact version;
// - tfjs packages are peer dependencies of publishable packages, never regular dependencies.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);
const problems = [];
/** The library packages a user composes with any backend: they never pick kernels for the user. */
const KERNEL_FREE = new Set([
  '@wavemix/core',
  '@wavemix/layers',
  '@wavemix/models',
  '@wavemix/datasets',
  '@wavemix/metrics',
]);

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry) && !/\.test\.|\/testing\/fixtures\//.test(path)) out.push(path);
  }
  return out;
}

// Import/export statements at the start of a line, and dynamic import()/require() calls.
const importPattern =
  /(?:^\s*(?:import|export)\b[^;'"]*?(?:from\s*)?|\b(?:import|require)\(\s*)['"](@wavemix\/[^'"/]+|@tensorflow\/[^'"/]+)/gm;

for (const group of ['packages', 'apps', 'tools']) {
  for (const dir of readdirSync(join(root, group))) {
    const pkgDir = join(root, group, dir);
    if (!existsSync(join(pkgDir, 'package.json')) || !existsSync(join(pkgDir, 'src'))) continue;
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const name = manifest.name;
    const declared = { ...manifest.dependencies, ...manifest.peerDependencies };
    const isKernel = /^@wavemix\/kernels-/.test(name);
    // A src/testing folder that no export entry ships is test support, like *.test.ts files.
    const shipsTesting = Boolean(manifest.exports?.['./testing']);
    for (const file of sourceFiles(join(pkgDir, 'src'))) {
      if (!shipsTesting && file.includes(`${join(pkgDir, 'src', 'testing')}/`)) continue;
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(importPattern)) {
        const where = `${file.slice(root.length + 1)} imports ${spec}`;
        if (spec === name) continue;
        if (KERNEL_FREE.has(name) && /^@wavemix\/kernels-/.test(spec))
          problems.push(`${where}: only apps and users opt into kernel packages`);
        if (name === '@wavemix/core' && spec.startsWith('@wavemix/'))
          problems.push(`${where}: core depends on no other WaveMix package`);
        if (isKernel && spec.startsWith('@wavemix/') && spec !== '@wavemix/core')
          problems.push(`${where}: kernel packages depend only on core`);
        if (
          !(spec in declared) &&
          !(manifest.devDependencies && spec in manifest.devDependencies && group !== 'packages')
        ) {
          problems.push(`${where}, which ${name} does not declare`);
        }
      }
    }
    if (!manifest.private) {
      for (const [dep, version] of Object.entries(manifest.dependencies ?? {})) {
        if (dep.startsWith('@tensorflow/'))
          problems.push(`${name}: ${dep} must be a peer dependency (the user picks tfjs and its backend)`);
        if (dep.startsWith('@wavemix/') && !/^\d+\.\d+\.\d+$/.test(version))
          problems.push(`${name}: ${dep} must use an exact version, not ${version}`);
      }
    }
  }
}

if (problems.length) {
  console.error(`dependency rules: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('dependency rules: ok');
