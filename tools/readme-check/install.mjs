// Consumer projects installed from the packed tarballs, as a user would get them: `npm pack` of
// every publishable package (built dist/ required), then `npm install` of the tarballs and the
// chosen peers into an empty temporary folder, offline from the npm cache (the versions installed
// at the repo root, which are in it). Shared by tools/readme-check and tools/examples-check.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(new URL('../..', import.meta.url).pathname);

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** name -> { dir, manifest } of every publishable package under packages/. */
export function publishablePackages() {
  const packages = new Map();
  for (const dir of readdirSync(join(REPO_ROOT, 'packages')).sort()) {
    const file = join(REPO_ROOT, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = readJson(file);
    if (!manifest.private) packages.set(manifest.name, { dir: join(REPO_ROOT, 'packages', dir), manifest });
  }
  return packages;
}

/** The version of a dependency installed at the repo root (so the install runs from the cache). */
export function rootVersion(name) {
  const file = join(REPO_ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(file)) throw new Error(`${name} is not installed at the repo root; cannot install it offline`);
  return readJson(file).version;
}

function run(command, args, cwd, timeout = 600_000) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
}

/**
 * Packs the given packages (default: all publishable ones) into `destination`; returns
 * name -> tarball path and the files of each tarball.
 */
export function packAll(destination, names) {
  const packages = publishablePackages();
  const tarballs = new Map();
  for (const name of names ?? packages.keys()) {
    const { dir } = packages.get(name);
    if (!existsSync(join(dir, 'dist'))) throw new Error(`${name} has no dist/: run \`npm run build\` first`);
    const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', destination], dir));
    tarballs.set(name, {
      file: join(destination, info.filename),
      files: info.files.map((f) => f.path),
      size: info.size,
    });
  }
  return tarballs;
}

/**
 * A temporary project with `tarballs` (paths) and `dependencies` (names, at the root's versions)
 * installed; `manifest` is merged into its package.json (e.g. `type: module`).
 */
export function installProject({ tarballs, dependencies = [], manifest = {}, project }) {
  const folder = project ?? mkdtempSync(join(tmpdir(), 'wavemix-consumer-'));
  const file = join(folder, 'package.json');
  const base = existsSync(file) ? readJson(file) : { name: 'wavemix-consumer', private: true, version: '0.0.0' };
  writeFileSync(file, `${JSON.stringify({ ...base, ...manifest }, null, 2)}\n`);
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--no-package-lock',
      '--ignore-scripts',
      '--loglevel=error',
      ...tarballs,
      ...dependencies.map((name) => `${name}@${rootVersion(name)}`),
    ],
    folder,
  );
  return folder;
}

/** `names` plus every @wavemix package they depend on, transitively. */
export function internalClosure(names) {
  const packages = publishablePackages();
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || !packages.has(name)) return;
    seen.add(name);
    for (const dep of Object.keys(packages.get(name).manifest.dependencies ?? {})) visit(dep);
  };
  names.forEach(visit);
  return [...seen];
}
