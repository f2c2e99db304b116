/**
 * The kernel packages in a real browser: headless Debian Chromium (SwiftShader, no GPU needed).
 *
 *   node dist/kernels/run.js test  [--backends webgl,webgpu] [--report FILE]
 *   node dist/kernels/run.js bench [--backends webgl,webgpu] [--iterations N] [--repeats N] [--out FILE]
 *
 * `test` runs the DWT conformance suite and each backend's own cases on WebGL2 and WebGPU and
 * fails on any failed case, any non-local request and any uncaught page error. `bench` times our
 * kernels against the plain-ops composite on the core benchmark's shapes and writes JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findUp } from '../src/find_up';
import { REPO_ROOT } from '../src/bundle';
import { runPageSuite, type PageSuiteReport } from '../src/run_page_suite';
import type { BenchOptions, BenchRow, Shape4, SuiteResult } from './protocol';

type GpuBackend = 'webgl' | 'webgpu';

const HARNESS_ROOT = findUp(__dirname, 'kernels/page.ts');
const PAGE = join(HARNESS_ROOT, 'kernels/page.ts');
const BENCH_SHAPES: Shape4[] = [
  [32, 64, 64, 64],
  [8, 112, 112, 48],
];

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

function writeJson(file: string, value: unknown): void {
  const path = resolve(REPO_ROOT, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2));
}

function networkAndErrors(report: PageSuiteReport<unknown>): string[] {
  return [
    ...report.nonLocalRequests.map((url) => `non-local request: ${url}`),
    ...report.pageErrors.map((error) => `uncaught page error: ${error}`),
  ];
}

function printConsoleErrors(report: PageSuiteReport<unknown>): void {
  const errors = report.console.filter((entry) => entry.type === 'error');
  if (errors.length === 0) return;
  console.log(`\npage console errors (${errors.length}):`);
  for (const entry of errors.slice(0, 20)) console.log(`  ${entry.text.split('\n')[0]}`);
}

async function test(backends: GpuBackend[]): Promise<number> {
  const started = Date.now();
  const report = await runPageSuite({ entry: PAGE, title: 'WaveMix kernels' }, async (session) => {
    const suites: SuiteResult[] = [];
    for (const backend of backends) {
      // One evaluate per backend; its cases run in order inside the page.
      suites.push(await session.page.evaluate((b) => window.wavemixKernels.runConformance(b), backend));
    }
    return suites;
  });
  let passed = 0;
  let failed = 0;
  console.log(`Chromium ${report.chromiumVersion}`);
  for (const suite of report.result) {
    console.log(`\n${suite.backend} (${suite.device})`);
    for (const result of suite.results) {
      if (result.ok) passed++;
      else failed++;
      console.log(`  ${result.ok ? '✓' : '✕'} ${result.name} (${result.ms.toFixed(0)} ms)`);
      if (!result.ok) console.log(`      ${result.error!.split('\n').slice(0, 6).join('\n      ')}`);
    }
  }
  printConsoleErrors(report);
  const problems = networkAndErrors(report);
  console.log(
    `\nrequests: ${report.requests.length}, all local: ${report.nonLocalRequests.length === 0 ? 'yes' : 'NO'}`,
  );
  for (const problem of problems) console.log(`  ✕ ${problem}`);
  writeJson(argument('report', 'test-results/browser-kernels.json'), report);
  console.log(
    `\nbrowser kernels: ${passed} passed, ${failed + problems.length} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return failed + problems.length === 0 ? 0 : 1;
}

function table(rows: BenchRow[]): string {
  const header = ['backend', 'op', 'shape', 'kernel ms', 'composite ms', 'speedup'];
  const cells = [
    header,
    ...rows.map((r) => [
      r.backend,
      r.op,
      `[${r.shape.join(',')}]`,
      r.kernelMs.toFixed(2),
      r.compositeMs.toFixed(2),
      `${r.speedup.toFixed(2)}x`,
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => cell.padStart(widths[i]!)).join('  ')).join('\n');
}

async function bench(backends: GpuBackend[]): Promise<number> {
  const options: BenchOptions = {
    shapes: BENCH_SHAPES,
    iterations: Number(argument('iterations', '3')),
    repeats: Number(argument('repeats', '3')),
  };
  const report = await runPageSuite({ entry: PAGE, title: 'WaveMix kernel benchmark' }, async (session) => {
    const results: Array<{ backend: string; device: string; rows: BenchRow[] }> = [];
    for (const backend of backends) {
      const result = await session.page.evaluate(([b, o]) => window.wavemixKernels.runBench(b, o), [
        backend,
        options,
      ] as const);
      results.push({ backend, ...result });
      console.error(`${backend} done`);
    }
    return results;
  });
  const rows = report.result.flatMap((r) => r.rows);
  console.log(`Chromium ${report.chromiumVersion}; ${report.result.map((r) => r.device).join('; ')}`);
  console.log('SwiftShader emulates the GPU on the CPU: compare ratios, not absolute times.\n');
  console.log(table(rows));
  const out = argument('out', '.bench/browser-kernels.json');
  writeJson(out, {
    date: new Date().toISOString(),
    chromium: report.chromiumVersion,
    devices: report.result.map(({ backend, device }) => ({ backend, device })),
    timing: `median of ${options.repeats} repeats of ${options.iterations} back-to-back calls, then await data() of one value of the last output`,
    rows,
  });
  console.log(`\nwrote ${out}`);
  const problems = networkAndErrors(report);
  for (const problem of problems) console.log(`  ✕ ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const backends = argument('backends', 'webgl,webgpu').split(',') as GpuBackend[];
  if (mode !== 'test' && mode !== 'bench') {
    console.error('usage: run.js test|bench [--backends webgl,webgpu] [...]');
    process.exit(2);
  }
  process.exitCode = mode === 'test' ? await test(backends) : await bench(backends);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
