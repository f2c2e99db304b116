/**
 * Running the conformance cases outside a test framework (a browser page, a GPU machine script),
 * and timing ops fairly on any backend, synchronous or not.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ConformanceCase } from './conformance';

export interface CaseResult {
  name: string;
  ok: boolean;
  ms: number;
  /** `Name: message` of the failure. */
  error?: string;
  stack?: string;
}

/** Runs every case in order, never stopping at a failure; `onResult` sees each result as it lands. */
export async function runConformanceCases(
  cases: readonly ConformanceCase[],
  onResult: (result: CaseResult) => void = () => {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    const started = performance.now();
    let result: CaseResult;
    try {
      await testCase.run();
      result = { name: testCase.name, ok: true, ms: performance.now() - started };
    } catch (error) {
      const e = error as Error;
      result = {
        name: testCase.name,
        ok: false,
        ms: performance.now() - started,
        error: `${e?.name}: ${e?.message}`,
        stack: e?.stack,
      };
    }
    results.push(result);
    onResult(result);
  }
  return results;
}

/**
 * Milliseconds per call: `iterations` calls back to back, then one read of a single value of the
 * last output, which waits until a GPU has finished all of them (queues run in order). The median
 * of `repeats`, after one untimed round that compiles and allocates. Time both sides of a
 * comparison this way.
 */
export async function msPerCall(run: () => tf.Tensor[], iterations: number, repeats: number): Promise<number> {
  const once = async () => {
    let last: tf.Tensor[] = [];
    for (let i = 0; i < iterations; i++) {
      tf.dispose(last);
      last = run();
    }
    const probe = tf.slice(last[0]!, new Array(last[0]!.rank).fill(0), new Array(last[0]!.rank).fill(1));
    await probe.data();
    tf.dispose([probe, ...last]);
  };
  await once();
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    await once();
    samples.push((performance.now() - started) / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
