/** Data passed between the kernel page (browser) and run.ts (Node). */
export type Shape4 = [number, number, number, number];

export interface CaseResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface SuiteResult {
  backend: string;
  device: string;
  results: CaseResult[];
}

export interface BenchOptions {
  shapes: Shape4[];
  iterations: number;
  repeats: number;
}

export interface BenchRow {
  backend: string;
  op: string;
  shape: Shape4;
  kernelMs: number;
  compositeMs: number;
  speedup: number;
}
