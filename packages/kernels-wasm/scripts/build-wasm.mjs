#!/usr/bin/env node
/**
 * Builds csrc/train_kernels.c into WebAssembly SIMD and writes it, base64-encoded, to
 * src/train/train_kernels_wasm.ts (committed, so neither CI nor users need clang).
 *
 *   node scripts/build-wasm.mjs           rebuild and rewrite the TS module
 *   node scripts/build-wasm.mjs --check   rebuild and fail if the committed module differs
 *
 * The module computes in place on the tfjs wasm backend's heap, so the build also proves it can
 * never write outside the tensors it is given: no data segments, no globals used by the code
 * (no C shadow stack), and no import other than the memory.
 *
 * Four builds of the same source: plain SIMD and relaxed SIMD (-DWAVEMIX_RELAXED_SIMD: the
 * multiply-adds as f32x4.relaxed_madd), each on the backend's memory and on a shared memory.
 * clang 14 emits relaxed SIMD in its prototype encoding (f32x4.fma, 0xfd 0xaf 0x01); `finalizeRelaxed`
 * rewrites each of those instructions, found by offset in the disassembly, to the standard
 * f32x4.relaxed_madd (0xfd 0x85 0x02, same length), the encoding V8 (Node 20 with
 * --experimental-wasm-relaxed-simd, Node 22+, Chromium) and other engines implement.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import v8 from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'csrc/train_kernels.c');
const target = join(root, 'src/train/train_kernels_wasm.ts');
const CLANG_FLAGS = [
  '--target=wasm32',
  '-msimd128',
  '-mbulk-memory',
  '-O3',
  '-ffreestanding',
  '-nostdlib',
  '-fno-builtin',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-Wl,--no-entry',
  '-Wl,--import-memory',
  '-Wl,--strip-all',
  '-Wl,--initial-memory=131072',
];
/** The same code on a shared memory (SharedArrayBuffer), for kernels split across threads. */
const SHARED_FLAGS = [...CLANG_FLAGS, '-matomics', '-Wl,--shared-memory', '-Wl,--max-memory=4294967296'];
const RELAXED_FLAGS = ['-mrelaxed-simd', '-DWAVEMIX_RELAXED_SIMD'];

// Node 20 validates relaxed SIMD only behind this flag (Node 22+ by default).
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

export function clangVersion() {
  const text = execFileSync('clang', ['--version'], { encoding: 'utf8' });
  const match = /clang version (\d+\.\d+\.\d+)/.exec(text);
  if (!match) throw new Error(`cannot read the clang version from: ${text}`);
  return match[1];
}

/** Compiles and verifies; returns the module bytes. */
export function buildWasm(flags = CLANG_FLAGS) {
  const dir = mkdtempSync(join(tmpdir(), 'wavemix-wasm-'));
  try {
    const out = join(dir, 'train_kernels.wasm');
    execFileSync('clang', [...flags, '-o', out, source], { stdio: 'inherit' });
    const relaxed = flags.includes('-DWAVEMIX_RELAXED_SIMD');
    const disassembly = execFileSync('llvm-objdump', ['-d', out], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const bytes = relaxed ? finalizeRelaxed(readFileSync(out), disassembly) : readFileSync(out);
    verify(bytes, disassembly, relaxed);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The prototype f32x4.fma instructions (offsets in the code section) rewritten to f32x4.relaxed_madd. */
export function finalizeRelaxed(bytes, disassembly) {
  const patched = Buffer.from(bytes);
  const code = sectionPayloadOffset(bytes, 10);
  let count = 0;
  for (const line of disassembly.split('\n')) {
    const match = /^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(\S+)/.exec(line);
    if (!match || (!match[3].includes('fma') && !match[3].includes('fms') && !match[3].includes('relaxed'))) continue;
    if (match[3] !== 'f32x4.fma')
      throw new Error(`unexpected relaxed SIMD instruction ${match[3]} (only f32x4.fma is rewritten)`);
    const at = code + Number.parseInt(match[1], 16);
    if (patched[at] !== 0xfd || patched[at + 1] !== 0xaf || patched[at + 2] !== 0x01) {
      throw new Error(`no f32x4.fma encoding at code offset 0x${match[1]}`);
    }
    patched[at + 1] = 0x85;
    patched[at + 2] = 0x02;
    count++;
  }
  if (count === 0) throw new Error('the relaxed build has no f32x4.fma: is WAVEMIX_RELAXED_SIMD wired to fma4?');
  return patched;
}

/** File offset of the payload of the first section with this id. */
export function sectionPayloadOffset(bytes, wanted) {
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset++];
    let size = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[offset++];
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    if (id === wanted) return offset;
    offset += size;
  }
  throw new Error(`no section ${wanted}`);
}

/** The safety conditions the kernels rely on (see the header of csrc/train_kernels.c). */
export function verify(bytes, disassembly, relaxed = false) {
  const module = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(module);
  if (
    imports.length !== 1 ||
    imports[0].kind !== 'memory' ||
    imports[0].module !== 'env' ||
    imports[0].name !== 'memory'
  ) {
    throw new Error(`the module must import exactly env.memory, got ${JSON.stringify(imports)}`);
  }
  for (const section of sectionIds(bytes)) {
    if (section === 11 || section === 12)
      throw new Error('the module has data segments (static data would overwrite the backend heap)');
  }
  if (disassembly != null && /global\.(get|set)/.test(disassembly)) {
    throw new Error('the code uses a global (the C shadow stack pointer?): it would write into the backend heap');
  }
  if (!relaxed && disassembly != null && /\b(f32x4\.fma|relaxed)/.test(disassembly)) {
    throw new Error('the plain SIMD build uses relaxed SIMD');
  }
}

/** Ids of the top-level sections of a wasm binary. */
export function sectionIds(bytes) {
  const ids = [];
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset++];
    let size = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[offset++];
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    ids.push(id);
    offset += size;
  }
  return ids;
}

export function renderModule(bytes, sharedBytes, relaxedBytes, relaxedSharedBytes, version) {
  const literal = (b) =>
    b
      .toString('base64')
      .match(/.{1,100}/g)
      .map((line) => `  '${line}'`)
      .join(' +\n');
  return `// Generated by scripts/build-wasm.mjs from csrc/train_kernels.c with clang ${version}. Do not edit.
export const TRAIN_KERNELS_CLANG_VERSION = '${version}';
/** On the tfjs wasm backend's memory. */
export const TRAIN_KERNELS_WASM_BASE64 =
${literal(bytes)};
/** The same kernels on a shared memory (threads). */
export const TRAIN_KERNELS_SHARED_WASM_BASE64 =
${literal(sharedBytes)};
/** Relaxed SIMD (f32x4.relaxed_madd) on the tfjs wasm backend's memory. */
export const TRAIN_KERNELS_RELAXED_WASM_BASE64 =
${literal(relaxedBytes)};
/** Relaxed SIMD on a shared memory (threads). */
export const TRAIN_KERNELS_RELAXED_SHARED_WASM_BASE64 =
${literal(relaxedSharedBytes)};
`;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const version = clangVersion();
  const text = renderModule(
    buildWasm(),
    buildWasm(SHARED_FLAGS),
    buildWasm([...CLANG_FLAGS, ...RELAXED_FLAGS]),
    buildWasm([...SHARED_FLAGS, ...RELAXED_FLAGS]),
    version,
  );
  if (process.argv.includes('--check')) {
    const committed = readFileSync(target, 'utf8');
    if (committed !== text) {
      console.error(`${target} is out of date: run node scripts/build-wasm.mjs`);
      process.exit(1);
    }
    console.log('train_kernels_wasm.ts is up to date');
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
