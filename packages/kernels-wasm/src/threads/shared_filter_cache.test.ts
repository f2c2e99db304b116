import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelThreadPool } from './pool';
import { SharedFilterCache } from './shared_filter_cache';

/** A one-thread pool with the Node pool's allocator (16-byte bump from byte 1024, reset to a mark). */
function fakePool(): KernelThreadPool & { top: number } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  return {
    threads: 1,
    memory,
    kernels: {} as KernelThreadPool['kernels'],
    top: 1024,
    reset(from = 0) {
      this.top = Math.max(1024, Math.ceil(from / 16) * 16);
    },
    alloc(bytes: number) {
      const offset = this.top;
      this.top = offset + Math.ceil(bytes / 16) * 16;
      const missing = this.top - memory.buffer.byteLength;
      if (missing > 0) memory.grow(Math.ceil(missing / 65536));
      return offset;
    },
    split() {},
  };
}

/** The backend as the cache sees it: which data ids are alive. */
const fakeBackend = (live: Set<object>) =>
  ({ dataIdMap: { has: (id: object) => live.has(id) } }) as unknown as BackendWasm;

const bytesAt = (pool: KernelThreadPool, offset: number, n: number) =>
  Array.from(new Uint8Array(pool.memory.buffer, offset, n));
const fill = (pool: KernelThreadPool, value: number, n: number) => (offset: number) =>
  new Uint8Array(pool.memory.buffer, offset, n).fill(value);

describe('SharedFilterCache', () => {
  test('packs each (tensor, packing) once, at the bottom of the pool, and calls allocate above it', () => {
    const pool = fakePool();
    const [a, b] = [{}, {}];
    const backend = fakeBackend(new Set([a, b]));
    const cache = new SharedFilterCache(pool);
    const pack = jest.fn(fill(pool, 7, 40));
    const first = cache.offsetOf(backend, a, 'standard', 40, pack);
    expect(first).toBe(1024);
    expect(cache.offsetOf(backend, a, 'standard', 40, pack)).toBe(first);
    expect(pack).toHaveBeenCalledTimes(1);
    // Another packing of the same tensor (a Winograd transform) and another tensor: own entries, 16-byte aligned.
    expect(cache.offsetOf(backend, a, 'winograd4x2', 100, fill(pool, 8, 100))).toBe(1024 + 48);
    expect(cache.offsetOf(backend, b, 'standard', 16, fill(pool, 9, 16))).toBe(1024 + 48 + 112);
    expect([cache.size, cache.bytes]).toEqual([3, 48 + 112 + 16]);
    cache.resetCalls();
    expect(pool.alloc(64)).toBe(1024 + 176);
    // A new entry while a call's allocations are live goes where they started (they are freed).
    expect(cache.offsetOf(backend, b, 'bias', 4, fill(pool, 3, 4))).toBe(1024 + 176);
    expect(bytesAt(pool, first, 40)).toEqual(Array(40).fill(7));
  });

  test("a pack's temporaries above its entry are freed, and a failed pack leaves no entry", () => {
    const pool = fakePool();
    const a = {};
    const backend = fakeBackend(new Set([a]));
    const cache = new SharedFilterCache(pool);
    const offset = cache.offsetOf(backend, a, 'k', 32, (at) => {
      const temporary = pool.alloc(4096);
      expect(temporary).toBe(at + 32);
    });
    cache.resetCalls();
    expect(pool.alloc(16)).toBe(offset + 32);
    expect(() =>
      cache.offsetOf(backend, a, 'other', 64, () => {
        throw new Error('pack failed');
      }),
    ).toThrow('pack failed');
    expect(cache.size).toBe(1);
    expect(pool.top).toBe(offset + 32);
    expect(cache.offsetOf(backend, a, 'other', 64, () => {})).toBe(offset + 32);
  });

  test('a sweep drops the entries of freed tensors and moves the live ones down with their bytes', () => {
    const pool = fakePool();
    const [a, b, c] = [{}, {}, {}];
    const live = new Set([a, b, c]);
    const backend = fakeBackend(live);
    const cache = new SharedFilterCache(pool);
    cache.offsetOf(backend, a, 'k', 48, fill(pool, 1, 48));
    cache.offsetOf(backend, b, 'k', 32, fill(pool, 2, 32));
    cache.offsetOf(backend, c, 'k', 16, fill(pool, 3, 16));
    cache.offsetOf(backend, b, 'k2', 16, fill(pool, 4, 16));
    cache.sweep();
    expect(cache.size).toBe(4); // nothing freed: nothing moves
    live.delete(a);
    cache.sweep();
    expect([cache.size, cache.bytes]).toEqual([3, 64]);
    const pack = jest.fn();
    const [bAt, cAt, b2At] = [
      cache.offsetOf(backend, b, 'k', 32, pack),
      cache.offsetOf(backend, c, 'k', 16, pack),
      cache.offsetOf(backend, b, 'k2', 16, pack),
    ];
    expect(pack).not.toHaveBeenCalled();
    expect([bAt, cAt, b2At]).toEqual([1024, 1056, 1072]);
    expect(bytesAt(pool, bAt, 32)).toEqual(Array(32).fill(2));
    expect(bytesAt(pool, cAt, 16)).toEqual(Array(16).fill(3));
    expect(bytesAt(pool, b2At, 16)).toEqual(Array(16).fill(4));
    cache.resetCalls();
    expect(pool.alloc(16)).toBe(1088);
    live.clear();
    cache.sweep();
    expect([cache.size, cache.bytes, pool.top]).toEqual([0, 0, 1024]);
  });
});
