/**
 * Roofline of wasm SIMD on this CPU (issue 16), and where our hot kernels sit under it.
 *
 *   node tools/bench/dist/roofline.js [--repeats N] [--kernels-only | --probes-only] [--out FILE]
 *
 * 1. Probes (roofline_wasm.ts), one thread: best GFLOP/s of an MR x 8 register tile of
 *    f32x4.mul + f32x4.add, and of f32x4.relaxed_madd (relaxed SIMD; on Node 20 enabled here by
 *    --experimental-wasm-relaxed-simd before anything compiles), with operands in registers and
 *    in L1; memory bandwidth (read, copy, fill of 256 MB).
 * 2. Kernels: conv forward 1x1 / 3x3, the conv gradients, GELU and batch norm on the wasm backend
 *    with our kernels (each micro-kernel variant the runtime offers), GFLOP/s and GB/s against 1.
 * Times are process CPU time (robust to other processes taking the core), best of the repeats
 * (a ceiling for the probes; for the kernels the least disturbed run). A measurement script, not a test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import v8 from 'node:v8';
import { formatTable } from './timing';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}
const repeats = Number(argument('repeats', '7'));
const out = argument('out', '.bench/roofline.json');

/** CPU milliseconds of one call. */
function cpuMs(run: () => unknown): number {
  const c0 = process.cpuUsage();
  run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

interface ProbeRow {
  probe: string;
  value: number;
  unit: string;
}

async function probes(): Promise<{ rows: ProbeRow[]; peak: Record<string, number>; bandwidth: number }> {
  const { relaxedSimdSupported, rooflineModule, TILE_ROWS } = await import('./roofline_wasm');
  const fma = relaxedSimdSupported();
  const bytes = 256 * 2 ** 20; // beyond any L3 a core can use (Milan-X: 96 MB per CCD)
  const memoryBytes = 2 * bytes + 65536;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(rooflineModule(fma, memoryBytes)));
  const fn = exports as unknown as Record<string, (...args: number[]) => number>;
  const rows: ProbeRow[] = [];
  const peak: Record<string, number> = {};
  const iterations = 4_000_000;
  for (const mode of ['regs', 'l1']) {
    for (const variant of fma ? ['muladd', 'fma'] : ['muladd']) {
      for (const mr of TILE_ROWS) {
        const probe = fn[`tile${mr}x8_${mode}_${variant}`]!;
        probe(1000); // tier up (Liftoff first, then TurboFan on the next calls)
        probe(1000);
        let best = Infinity;
        for (let r = 0; r < 3 * repeats; r++)
          best = Math.min(
            best,
            cpuMs(() => probe(iterations)),
          );
        const gflops = (16 * mr * iterations) / best / 1e6;
        rows.push({
          probe: `${mr}x8 tile, ${mode === 'regs' ? 'a in registers' : 'operands from L1'}, ${variant === 'fma' ? 'relaxed_madd' : 'mul+add'}`,
          value: gflops,
          unit: 'GFLOP/s',
        });
        peak[variant] = Math.max(peak[variant] ?? 0, gflops);
      }
    }
  }
  if (!fma) rows.push({ probe: 'relaxed SIMD', value: Number.NaN, unit: 'not supported by this runtime' });
  // (repeats, offset, bytes): touch both buffers with nonzero bytes, so reads hit real pages
  fn.fill!(1, 0, bytes);
  fn.fill!(1, bytes, bytes);
  const memRepeats = 2;
  const memory: Array<[string, (n: number) => unknown, number]> = [
    ['read 256 MB (v128 loads)', (n) => fn.read!(n, 0, bytes), bytes],
    ['copy 256 MB (memory.copy; read + write)', (n) => fn.copy!(n, 0, bytes), 2 * bytes],
    ['fill 256 MB (memory.fill)', (n) => fn.fill!(n, 0, bytes), bytes],
  ];
  let bandwidth = 0;
  for (const [label, run, traffic] of memory) {
    run(1);
    let best = Infinity;
    for (let r = 0; r < repeats; r++)
      best = Math.min(
        best,
        cpuMs(() => run(memRepeats)),
      );
    const gbs = (traffic * memRepeats) / best / 1e6;
    if (label.startsWith('read')) bandwidth = gbs;
    rows.push({ probe: label, value: gbs, unit: 'GB/s' });
  }
  return { rows, peak, bandwidth };
}

async function main(): Promise<void> {
  const load0 = loadavg()[0]!;
  const report: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, load1Before: load0 };
  let peak: Record<string, number> = {};
  let bandwidth = Number.NaN;
  if (!process.argv.includes('--kernels-only')) {
    const probed = await probes();
    peak = probed.peak;
    bandwidth = probed.bandwidth;
    report.probes = probed.rows;
    console.log(
      formatTable(
        ['probe (one thread)', 'best', 'unit'],
        probed.rows.map((r) => [r.probe, r.value, r.unit]),
      ),
    );
    console.log(
      `(process CPU time, best of ${3 * repeats} (tiles) / ${repeats} (memory); load ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)})\n`,
    );
  }
  if (!process.argv.includes('--probes-only')) {
    const { kernelRows } = await import('./roofline_kernels');
    const rows = await kernelRows(repeats, peak, bandwidth);
    report.kernels = rows;
    console.log(
      formatTable(
        ['kernel', 'micro-kernels', 'ms', 'GFLOP/s', '% of peak', 'GB/s', '% of read BW'],
        rows.map((r) => [
          r.kernel,
          r.variant,
          r.ms,
          r.gflops ?? '-',
          r.peakPercent ?? '-',
          r.gbs,
          r.bandwidthPercent ?? '-',
        ]),
      ),
    );
    console.log(`(process CPU time, best of ${repeats}, builds interleaved; load ${loadavg()[0]!.toFixed(2)})`);
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ ...report, load1After: loadavg()[0] }, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
