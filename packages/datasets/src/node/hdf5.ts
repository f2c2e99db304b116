// HDF5 through h5wasm, run in a dedicated worker thread: h5wasm is an ES module (it loads in any
// Node context, test runners included, from a worker), a corrupt file can abort the Emscripten
// module (the worker is then replaced instead of poisoning the process), a hang is cut off by a
// timeout, and the HDF5 C library's diagnostics are collected for error messages instead of being
// printed.
import { existsSync, readFileSync } from 'node:fs';
import { WaveMixError } from '@wavemix/core';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DatasetArgumentError } from '@wavemix/datasets';
import { packageRequire } from './files';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const diagnostics = [];
const collect = (...parts) => { diagnostics.push(parts.join(' ')); if (diagnostics.length > 400) diagnostics.splice(0, 200); };
console.error = collect;
console.warn = collect;
console.log = collect;
let h5 = null;
const files = new Map();
let nextHandle = 1;
const ready = import(workerData.url).then(async (m) => { const module = await m.ready; h5 = m; module.activate_throwing_error_handler(); });
function dataset(handle, name) {
  const file = files.get(handle);
  if (!file) throw new Error('file handle ' + handle + ' is closed');
  const entity = file.get(name);
  if (!entity || !(entity instanceof h5.Dataset)) return null;
  return entity;
}
const handlers = {
  open(path) { const f = new h5.File(path, 'r'); const h = nextHandle++; files.set(h, f); return h; },
  close(handle) { const f = files.get(handle); files.delete(handle); if (f) f.close(); return null; },
  keys(handle) { return files.get(handle).keys(); },
  describe(handle, name) {
    const d = dataset(handle, name);
    if (!d) return null;
    const m = d.metadata;
    return { shape: d.shape, dtype: d.dtype, type: m.type, size: m.size, signed: m.signed, littleEndian: m.littleEndian,
      chunks: m.chunks, totalSize: m.total_size, filters: d.filters };
  },
  slice(handle, name, start, end) {
    const d = dataset(handle, name);
    if (!d) throw new Error('no dataset ' + name);
    const value = d.slice([[start, end]]);
    return ArrayBuffer.isView(value) ? value : null;
  },
  write(path, items, libver) {
    const f = new h5.File(path, 'w', libver ? { libver } : undefined);
    try {
      for (const item of items) {
        const args = { name: item.name, data: item.data, shape: item.shape, dtype: item.dtype };
        if (item.chunks) args.chunks = item.chunks;
        if (item.compression !== undefined) { args.compression = item.compression; args.compression_opts = item.compressionLevel; }
        f.create_dataset(args);
      }
    } finally { f.close(); }
    return null;
  },
};
parentPort.on('message', async ({ id, op, args }) => {
  try {
    await ready;
    diagnostics.length = 0;
    const result = handlers[op](...args);
    const transfer = result && ArrayBuffer.isView(result) ? [result.buffer] : [];
    parentPort.postMessage({ id, ok: true, result }, transfer);
  } catch (error) {
    const message = String((error && error.message) || error);
    parentPort.postMessage({ id, ok: false, message, diagnostics: diagnostics.filter((l) => /minor:|major:|#0/.test(l)).slice(-8) });
    // An Emscripten abort leaves the module unusable: let the main thread start a fresh worker.
    if (/Aborted|RuntimeError|unreachable|memory access out of bounds/i.test(message) || (error && error.name === 'RuntimeError')) process.exit(70);
  }
});
`;

/** The file URL of h5wasm's Node build (it only exports an `import` condition, so resolve by hand). */
export function h5wasmNodeUrl(): string {
  const paths = packageRequire.resolve.paths('h5wasm') ?? [];
  for (const base of paths) {
    const manifest = join(base, 'h5wasm', 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, { import?: string }> };
    const entry = pkg.exports?.['./node']?.import ?? './dist/node/hdf5_hl.js';
    return pathToFileURL(join(dirname(manifest), entry)).href;
  }
  throw new DatasetArgumentError(
    'h5wasm',
    'reading HDF5 files (Galaxy10) needs the h5wasm package: npm install h5wasm',
  );
}

export class Hdf5Error extends WaveMixError {
  constructor(
    message: string,
    readonly diagnostics: string[],
    readonly crashed = false,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'Hdf5Error';
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** A worker thread running h5wasm; restarts itself after a crash or a timeout. */
export class Hdf5Worker {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private generation = 0;

  constructor(readonly timeoutMs = 60_000) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { url: h5wasmNodeUrl() } });
    this.generation++;
    worker.on(
      'message',
      (message: { id: number; ok: boolean; result?: unknown; message?: string; diagnostics?: string[] }) => {
        const entry = this.pending.get(message.id);
        if (!entry) return;
        this.pending.delete(message.id);
        clearTimeout(entry.timer);
        if (message.ok) entry.resolve(message.result);
        else entry.reject(new Hdf5Error(message.message ?? 'HDF5 error', message.diagnostics ?? []));
        this.updateRef();
      },
    );
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, entry] of this.pending) {
        clearTimeout(entry.timer);
        entry.reject(error);
        this.pending.delete(id);
      }
    };
    worker.on('error', (error) => fail(new Hdf5Error(`h5wasm worker failed: ${error.message}`, [], true)));
    worker.on('exit', (code) =>
      fail(new Hdf5Error(`h5wasm worker exited (code ${code}); the file probably crashed the HDF5 library`, [], true)),
    );
    this.worker = worker;
    return worker;
  }

  private updateRef(): void {
    if (!this.worker) return;
    if (this.pending.size === 0) this.worker.unref();
    else this.worker.ref();
  }

  /** Which worker instance is running (increments on every restart). */
  get instance(): number {
    return this.generation;
  }

  call<T>(op: string, ...args: unknown[]): Promise<T> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<T>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Hdf5Error(`HDF5 ${op} did not finish within ${this.timeoutMs} ms`, [], false, true));
        // A hung library call cannot be interrupted: replace the worker.
        if (this.worker === worker) this.worker = null;
        void worker.terminate();
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolvePromise as (v: unknown) => void, reject, timer });
      this.updateRef();
      worker.postMessage({ id, op, args });
    });
  }

  async terminate(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}

let shared: Hdf5Worker | null = null;

/** The process-wide h5wasm worker (started on first use, does not keep the process alive). */
export function sharedHdf5Worker(): Hdf5Worker {
  shared ??= new Hdf5Worker();
  return shared;
}

export interface Hdf5DatasetInfo {
  shape: number[] | null;
  dtype: string;
  /** HDF5 type class (0 integer, 1 float, ...). */
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
  chunks: number[] | null;
  totalSize: number;
  filters: Array<{ id: number; name: string; cd_values: number[] }>;
}

/** An open HDF5 file (read-only) served by an {@link Hdf5Worker}. */
export class Hdf5File {
  private constructor(
    readonly path: string,
    private readonly worker: Hdf5Worker,
    private readonly handle: number,
    private readonly instance: number,
  ) {}

  static async open(path: string, worker = sharedHdf5Worker()): Promise<Hdf5File> {
    const absolute = resolve(path);
    const handle = await worker.call<number>('open', absolute);
    return new Hdf5File(absolute, worker, handle, worker.instance);
  }

  private checkAlive(): void {
    if (this.worker.instance !== this.instance)
      throw new Hdf5Error(`${this.path} was closed when the h5wasm worker restarted`, [], true);
  }

  keys(): Promise<string[]> {
    this.checkAlive();
    return this.worker.call<string[]>('keys', this.handle);
  }

  describe(name: string): Promise<Hdf5DatasetInfo | null> {
    this.checkAlive();
    return this.worker.call<Hdf5DatasetInfo | null>('describe', this.handle, name);
  }

  /** Rows `[start, end)` along the first axis. */
  slice(name: string, start: number, end: number): Promise<ArrayBufferView | null> {
    this.checkAlive();
    return this.worker.call<ArrayBufferView | null>('slice', this.handle, name, start, end);
  }

  async close(): Promise<void> {
    if (this.worker.instance !== this.instance) return;
    await this.worker.call('close', this.handle);
  }
}

export interface Hdf5WriteItem {
  name: string;
  data: ArrayBufferView;
  shape: number[];
  /** h5wasm dtype string: '<B' uint8, '<b' int8, '<i' int32, '<f' float32, '<d' float64, ... */
  dtype: string;
  chunks?: number[];
  /** 'gzip' (deflate) or an HDF5 filter id. */
  compression?: 'gzip' | number;
  compressionLevel?: number;
}

/**
 * Writes an HDF5 file with h5wasm (fixtures, exports). HDF5 writes in place, so the file is
 * written under a temporary name and renamed.
 */
export async function writeHdf5(
  path: string,
  items: Hdf5WriteItem[],
  options: { libver?: string | [string, string] } = {},
): Promise<void> {
  const { renameSync, rmSync } = await import('node:fs');
  const target = resolve(path);
  const temp = join(dirname(target), `.${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2)}.h5.tmp`);
  try {
    await sharedHdf5Worker().call('write', temp, items, options.libver ?? null);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
