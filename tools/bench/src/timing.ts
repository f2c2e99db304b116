/** Median of `repeats` timed runs after `warmup` untimed ones, in milliseconds. */
export async function timeMs(run: () => unknown | Promise<unknown>, repeats: number, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

export function formatTable(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map((v) => (typeof v === 'number' ? formatNumber(v) : v)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  return cells.map((r) => r.map((v, i) => String(v).padStart(widths[i]!)).join('  ')).join('\n');
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
