import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId } from '@tensorflow/tfjs-core';
import type { KernelThreadPool } from './pool';

interface Entry {
  offset: number;
  bytes: number;
}

interface SourceEntries {
  backend: BackendWasm;
  /** Per packing of the source (layout, Winograd transform). */
  packings: Map<string, Entry>;
}

/**
 * Packed filters kept in a kernel thread pool's shared memory between calls. Threaded kernels
 * used to pack a filter on the backend's heap and copy it into the shared memory on every call
 * (W3: 400 MB a step); a threaded layer's filter is now packed once, here, and held once. Entries
 * are per source tensor and packing, and go when the backend frees the source tensor (a training
 * step's new weights, a disposed model). They sit at the bottom of the pool's memory, below what
 * `resetCalls` frees; a sweep moves the live ones down over the gaps.
 */
export class SharedFilterCache {
  private readonly sources = new Map<DataId, SourceEntries>();
  /** Where the first entry went; compaction moves the live entries back down to it. */
  private start = -1;
  /** The byte after the last entry: where a call's own allocations start. */
  private end = 0;

  constructor(private readonly pool: KernelThreadPool) {}

  private *entries(): Generator<Entry> {
    for (const source of this.sources.values()) yield* source.packings.values();
  }

  /** Bytes of shared memory the packed filters hold. */
  get bytes(): number {
    let total = 0;
    for (const entry of this.entries()) total += entry.bytes;
    return total;
  }

  /** How many packed filters are held. */
  get size(): number {
    let count = 0;
    for (const source of this.sources.values()) count += source.packings.size;
    return count;
  }

  /**
   * Drops the entries whose source tensor the backend has freed and moves the rest down over the
   * gaps. Between calls only: it frees what the pool handed out above the cache.
   */
  sweep(): void {
    let stale = false;
    for (const [dataId, source] of this.sources) {
      if (source.backend.dataIdMap.has(dataId)) continue;
      this.sources.delete(dataId);
      stale = true;
    }
    if (!stale) return;
    const memory = new Uint8Array(this.pool.memory.buffer);
    let at = this.start;
    for (const entry of [...this.entries()].sort((a, b) => a.offset - b.offset)) {
      if (entry.offset !== at) memory.copyWithin(at, entry.offset, entry.offset + entry.bytes);
      entry.offset = at;
      at += entry.bytes;
    }
    this.end = this.sources.size > 0 ? at : 0;
    this.resetCalls();
  }

  /**
   * The shared-memory offset of the packing `key` of `backend`'s tensor `dataId`: on a miss,
   * `bytes` are allocated and `pack(offset)` writes them (it may `pool.alloc` temporaries above
   * them; they are freed after). Between calls only: a new entry goes where a call's
   * allocations start.
   */
  offsetOf(backend: BackendWasm, dataId: DataId, key: string, bytes: number, pack: (offset: number) => void): number {
    let source = this.sources.get(dataId);
    const cached = source?.packings.get(key);
    if (cached) return cached.offset;
    this.resetCalls();
    const size = Math.ceil(bytes / 16) * 16;
    const offset = this.pool.alloc(size);
    try {
      pack(offset);
    } catch (error) {
      this.resetCalls(); // frees the entry's bytes and the pack's temporaries
      throw error;
    }
    if (this.start < 0) this.start = offset;
    this.end = offset + size;
    this.resetCalls();
    if (!source) {
      source = { backend, packings: new Map() };
      this.sources.set(dataId, source);
    }
    source.packings.set(key, { offset, bytes: size });
    return offset;
  }

  /** Frees a call's allocations: everything the pool handed out above the cached filters. */
  resetCalls(): void {
    this.pool.reset(this.end);
  }
}

const caches = new WeakMap<KernelThreadPool, SharedFilterCache>();
let cacheEnabled = true;

/** The pool's filter cache (one per pool; it goes with the pool). */
export function sharedFilterCache(pool: KernelThreadPool): SharedFilterCache {
  let cache = caches.get(pool);
  if (!cache) {
    cache = new SharedFilterCache(pool);
    caches.set(pool, cache);
  }
  return cache;
}

/**
 * Whether threaded kernels take their packed filters from the pool's filter cache (default
 * true). Off: as before the cache, a filter is packed on the backend's heap and copied into the
 * shared memory on every call (A/B measurements); the entries already cached stay.
 */
export function setSharedFilterCache(enabled: boolean): void {
  cacheEnabled = enabled;
}

export function sharedFilterCacheEnabled(): boolean {
  return cacheEnabled;
}
