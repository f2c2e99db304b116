/** The step profile's per-step averages and its text report. */
import { byCategory, kernelCategory, type KernelCategory, type KernelStats, type ProbeCounts } from './step_probe';

export interface StepRecord {
  /** Host ms to record the step (and any read it triggered). */
  hostMs: number;
  /** Wall ms until the GPU finished it. */
  wallMs: number;
  /** Process CPU ms (user + system) meanwhile: all of it on SwiftShader, which runs in-process. */
  cpuMs: number;
  /** Steps whose loss this step read back (the trainer reads every `--loss-read-every` steps). */
  stepsRead: number;
  counts: ProbeCounts;
}

export interface KernelRow extends KernelStats {
  name: string;
  category: KernelCategory;
  /** GPU ms (timestamp queries, one profiled step); null where the adapter has none. */
  gpuMs: number | null;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

function addInto(target: Record<string, number>, source: Record<string, number>, scale: number): void {
  for (const [key, value] of Object.entries(source)) target[key] = (target[key] ?? 0) + value * scale;
}

/** Per-step means over the profiled steps (kernel, category, upload and program counts). */
export function summarise(steps: StepRecord[], gpuMs: Record<string, number> | null) {
  const n = steps.length;
  const kernels = new Map<string, KernelStats>();
  const programs: Record<string, number> = {};
  const uploadsBySize: Record<string, number> = {};
  const uploadsByKernel: Record<string, number> = {};
  const mean = (pick: (s: StepRecord) => number) => round(steps.reduce((a, s) => a + pick(s), 0) / n);
  for (const { counts } of steps) {
    for (const [name, stats] of Object.entries(counts.kernels)) {
      const row = kernels.get(name) ?? { calls: 0, dispatches: 0, hostMs: 0 };
      row.calls += stats.calls / n;
      row.dispatches += stats.dispatches / n;
      row.hostMs += stats.hostMs / n;
      kernels.set(name, row);
    }
    addInto(programs, counts.programs, 1 / n);
    addInto(uploadsBySize, counts.uploads.bySize, 1 / n);
    addInto(uploadsByKernel, counts.uploads.byKernel, 1 / n);
  }
  const rows: KernelRow[] = [...kernels].map(([name, s]) => ({
    name,
    category: kernelCategory(name),
    calls: round(s.calls),
    dispatches: round(s.dispatches),
    hostMs: round(s.hostMs),
    gpuMs: gpuMs ? round(gpuMs[name] ?? 0, 3) : null,
  }));
  const categories = byCategory(Object.fromEntries(rows.map((r) => [r.name, r])));
  for (const c of Object.values(categories)) c.hostMs = round(c.hostMs);
  const gpuByCategory: Partial<Record<KernelCategory, number>> | null = gpuMs ? {} : null;
  if (gpuByCategory)
    for (const r of rows) gpuByCategory[r.category] = round((gpuByCategory[r.category] ?? 0) + (r.gpuMs ?? 0), 3);
  return {
    hostMs: mean((s) => s.hostMs),
    wallMs: mean((s) => s.wallMs),
    cpuMs: mean((s) => s.cpuMs),
    kernelCalls: mean((s) => Object.values(s.counts.kernels).reduce((a, k) => a + k.calls, 0)),
    dispatches: mean((s) => s.counts.dispatches),
    submits: mean((s) => s.counts.submits),
    uploads: { tensors: mean((s) => s.counts.uploads.tensors), bytes: mean((s) => s.counts.uploads.bytes) },
    uploadsBySize,
    uploadsByKernel,
    uniforms: { writes: mean((s) => s.counts.uniforms.writes), bytes: mean((s) => s.counts.uniforms.bytes) },
    readbacks: {
      calls: mean((s) => s.counts.readbacks.calls),
      downloads: mean((s) => s.counts.readbacks.downloads),
      bytes: mean((s) => s.counts.readbacks.bytes),
    },
    syncReads: steps.reduce((a, s) => a + s.counts.syncReads, 0),
    pipelinesCompiled: steps.flatMap((s) => s.counts.pipelinesCompiled),
    categories,
    gpuMsTotal: gpuMs
      ? round(
          Object.values(gpuMs).reduce((a, b) => a + b, 0),
          3,
        )
      : null,
    gpuByCategory,
    programs,
    kernels: rows,
  };
}

const pad = (s: string | number, width: number) => String(s).padStart(width);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function kernelTable(title: string, rows: KernelRow[]): string[] {
  const lines = [
    title,
    `  ${'kernel'.padEnd(34)}${pad('calls', 8)}${pad('dispatch', 9)}${pad('host ms', 9)}${pad('GPU ms', 9)}  category`,
  ];
  for (const r of rows) {
    lines.push(
      `  ${r.name.padEnd(34)}${pad(r.calls, 8)}${pad(r.dispatches, 9)}${pad(r.hostMs.toFixed(1), 9)}${pad(r.gpuMs === null ? '-' : r.gpuMs.toFixed(2), 9)}  ${r.category}`,
    );
  }
  return lines;
}

function topOf(record: Record<string, number>, top: number): string {
  return Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, count]) => `${key} x${round(count, 1)}`)
    .join(', ');
}

export function formatReport(report: StepProfileReport, top: number): string {
  const s = report.summary;
  const lines = [
    `WebGPU training step profile: ${report.model} (${report.params} params), batch ${report.batchSize}, loss read every ${report.lossReadEvery} steps, AdamW ${report.adamW}, Mean/Sum gradients ${report.gradients}`,
    `  adapter ${report.adapter}; timestamp queries: ${report.timestampQuery ? 'yes' : 'no (GPU ms per kernel missing: wall ms around each awaited step instead)'}; load ${report.load1}`,
    `  warm-up ${report.warmupSteps} step(s) + one read: ${report.warmup.wallMs.toFixed(0)} ms, ${report.warmup.counts.dispatches} dispatches, ${report.warmup.counts.pipelinesCompiled.length} pipelines compiled`,
    '',
    `${'step'.padEnd(6)}${pad('host ms', 9)}${pad('wall ms', 10)}${pad('CPU ms', 10)}${pad('kernels', 9)}${pad('dispatch', 9)}${pad('elem-w', 8)}${pad('conv/mm', 8)}${pad('dwt', 5)}${pad('uploads', 9)}${pad('up bytes', 11)}${pad('uniforms', 9)}${pad('reads', 6)}${pad('pipes', 6)}${pad('submits', 8)}`,
  ];
  report.steps.forEach((step, i) => {
    const c = step.counts;
    const cat = byCategory(c.kernels);
    const calls = Object.values(c.kernels).reduce((a, k) => a + k.calls, 0);
    lines.push(
      `${String(i + 1).padEnd(6)}${pad(step.hostMs.toFixed(0), 9)}${pad(step.wallMs.toFixed(0), 10)}${pad(step.cpuMs.toFixed(0), 10)}${pad(calls, 9)}${pad(c.dispatches, 9)}${pad(cat['element-wise']?.dispatches ?? 0, 8)}${pad(cat['conv/matmul']?.dispatches ?? 0, 8)}${pad(cat.dwt?.dispatches ?? 0, 5)}${pad(c.uploads.tensors, 9)}${pad(c.uploads.bytes, 11)}${pad(c.uniforms.writes, 9)}${pad(c.readbacks.downloads, 6)}${pad(c.pipelinesCompiled.length, 6)}${pad(c.submits, 8)}`,
    );
  });
  const f = report.flush.counts;
  lines.push(
    `read of ${report.flush.stepsRead} pending step(s): ${report.flush.wallMs.toFixed(0)} ms, ${f.readbacks.downloads} download(s) of ${f.readbacks.bytes} bytes, ${f.dispatches} dispatches, ${f.uploads.tensors} uploads, ${f.pipelinesCompiled.length} pipelines compiled${f.pipelinesCompiled.length ? ` (${f.pipelinesCompiled.join(', ')})` : ''}`,
    '',
    `per step (mean of ${report.steps.length}): ${s.kernelCalls} kernels, ${s.dispatches} GPU dispatches, ${s.submits} queue submits, host ${s.hostMs} ms, wall ${s.wallMs} ms, process CPU ${s.cpuMs} ms${s.gpuMsTotal === null ? '' : `, GPU ${s.gpuMsTotal} ms`}`,
    `  uploads host->GPU: ${s.uploads.tensors} tensors, ${kib(s.uploads.bytes)} (by size in bytes: ${topOf(s.uploadsBySize, 6)}; by kernel: ${topOf(s.uploadsByKernel, 6)})`,
    `  uniform writes: ${s.uniforms.writes}, ${kib(s.uniforms.bytes)}; readbacks: ${s.readbacks.downloads} downloads, ${s.readbacks.bytes} bytes (${s.readbacks.calls} read calls); readSync: ${s.syncReads}`,
    `  new pipelines during the profiled steps: ${s.pipelinesCompiled.length}${s.pipelinesCompiled.length ? ` (${s.pipelinesCompiled.join(', ')})` : ''}`,
    `  by category (calls / dispatches / host ms${s.gpuByCategory ? ' / GPU ms' : ''}):`,
  );
  for (const [category, c] of Object.entries(s.categories).sort((a, b) => b[1].dispatches - a[1].dispatches)) {
    const gpu = s.gpuByCategory ? ` / ${s.gpuByCategory[category as KernelCategory] ?? 0}` : '';
    lines.push(`    ${category.padEnd(14)} ${round(c.calls, 1)} / ${round(c.dispatches, 1)} / ${c.hostMs}${gpu}`);
  }
  lines.push(`  GPU programs by dispatches: ${topOf(s.programs, top)}`, '');
  lines.push(
    ...kernelTable(
      `top ${top} kernels by count (per step)`,
      [...s.kernels].sort((a, b) => b.calls - a.calls).slice(0, top),
    ),
  );
  const byTime = s.gpuMsTotal === null ? 'host ms (no GPU timestamps)' : 'GPU ms';
  const time = (r: KernelRow) => (s.gpuMsTotal === null ? r.hostMs : (r.gpuMs ?? 0));
  lines.push(
    '',
    ...kernelTable(
      `top ${top} kernels by ${byTime} (per step)`,
      [...s.kernels].sort((a, b) => time(b) - time(a)).slice(0, top),
    ),
  );
  return lines.join('\n');
}

export interface StepProfileReport {
  date: string;
  adapter: string;
  softwareGpu: boolean;
  timestampQuery: boolean;
  model: string;
  /** AdamW as the fused AdamWUpdate kernel or as element-wise kernels. */
  adamW: 'fused' | 'composite';
  /** Mean/Sum gradients: tfjs's (`stock`, host-filled ones) or @wavemix/kernels-webgpu's tiles. */
  gradients: 'stock' | 'webgpu';
  config: object;
  params: number;
  batchSize: number;
  warmupSteps: number;
  lossReadEvery: number;
  load1: number;
  node: string;
  warmup: { wallMs: number; counts: ProbeCounts };
  steps: StepRecord[];
  flush: { wallMs: number; stepsRead: number; counts: ProbeCounts };
  summary: ReturnType<typeof summarise>;
  numTensors: number;
}
