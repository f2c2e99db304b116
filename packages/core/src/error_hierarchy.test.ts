// Every error the library packages throw on purpose is a WaveMixError: no error class of theirs
// extends Error directly, and no plain `throw new Error(` remains in their sources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const PACKAGES = path.resolve(__dirname, '../..');
/** Plain errors that cannot be WaveMix errors, and why. */
const ALLOWED_PLAIN_THROWS: Record<string, string> = {
  // Source of the h5wasm worker, run as a string in a worker thread; its failures reach the main thread as messages and become Hdf5Error.
  'datasets/src/node/hdf5.ts': 'worker source',
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'testing' || name === 'node_modules' ? [] : sources(file);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
  });
}

const files = readdirSync(PACKAGES)
  .map((name) => path.join(PACKAGES, name, 'src'))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(sources);

it('finds the library sources', () => {
  expect(files.length).toBeGreaterThan(100);
  expect(files.some((f) => f.endsWith(path.join('parallel', 'src', 'index.ts')))).toBe(true);
});

it('no library error class extends Error directly (only WaveMixError does)', () => {
  const offenders = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/class (\w+) extends Error\b/g)]
      .map((m) => `${path.relative(PACKAGES, file)}: ${m[1]}`)
      .filter((hit) => hit !== `core${path.sep}src${path.sep}errors.ts: WaveMixError`),
  );
  expect(offenders).toEqual([]);
});

it('no plain `throw new Error(` in library code outside the allowlist', () => {
  const offenders = files
    .filter((file) => /throw new (Type|Range)?Error\(/.test(readFileSync(file, 'utf8')))
    .map((file) => path.relative(PACKAGES, file).split(path.sep).join('/'))
    .filter((file) => !(file in ALLOWED_PLAIN_THROWS));
  expect(offenders).toEqual([]);
});
