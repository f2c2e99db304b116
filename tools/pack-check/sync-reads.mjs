#!/usr/bin/env node
// Library and trainer code reads tensors asynchronously: `dataSync`/`arraySync` block the page on
// WebGL and throw on WebGPU in Node, so a synchronous read is allowed only where an API is sync by
// contract. Each such call carries a `sync-read: <why>` comment on its line or the line above.
// Tests, testing helpers and benchmarks are exempt.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);
const checkedRoots = [
  ...readdirSync(join(root, 'packages')).map((dir) => join(root, 'packages', dir, 'src')),
  join(root, 'apps', 'trainer', 'src'),
  join(root, 'apps', 'viewer', 'src'),
];

function sourceFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out = [];
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry !== 'testing' && entry !== 'testdata') out.push(...sourceFiles(path));
    } else if (/\.(ts|tsx|mts|cts)$/.test(entry) && !/\.test\.ts$/.test(entry)) out.push(path);
  }
  return out;
}

const syncRead = /\.(dataSync|arraySync)\s*\(/;
const problems = [];
let allowed = 0;
for (const file of checkedRoots.flatMap(sourceFiles)) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    const match = syncRead.exec(code);
    if (!match) return;
    if (/sync-read:\s*\S/.test(line) || /sync-read:\s*\S/.test(lines[i - 1] ?? '')) allowed++;
    else problems.push(`${relative(root, file)}:${i + 1}: ${match[1]}() without a 'sync-read: <why>' comment`);
  });
}

if (problems.length > 0) {
  console.error(
    `Synchronous tensor reads in library code (use await tensor.data(), or justify):\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`sync-reads: no unjustified dataSync/arraySync (${allowed} documented sync reads)`);
