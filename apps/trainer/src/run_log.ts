/**
 * What a run reports while it trains: metrics.jsonl records (one JSON object a line, each with a
 * wall-clock `time`), the running totals of an epoch, and the throughput shown by the progress display.
 */
import { appendFileSync } from 'node:fs';

export class RunLog {
  constructor(private readonly metricsPath: string) {}

  append(record: Record<string, unknown>): void {
    appendFileSync(this.metricsPath, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  }
}

/** Sums over an epoch's steps: the example-weighted mean loss and the accuracy. */
export class EpochTotals {
  private lossSum = 0;
  private seen = 0;
  private correctSum = 0;
  private labelled = 0;

  add(loss: number, examples: number, correct: number | null, count: number): void {
    this.lossSum += loss * examples;
    this.seen += examples;
    if (correct !== null) {
      this.correctSum += correct;
      this.labelled += count;
    }
  }

  summary(): { loss: number; accuracy: number | null } {
    return { loss: this.lossSum / Math.max(1, this.seen), accuracy: this.labelled ? this.correctSum / this.labelled : null };
  }
}

/** Images per second over a window restarted every 5 s, so the figure follows the current speed. */
export class Throughput {
  private windowStart = performance.now();
  private windowImages = 0;

  /** Adds a step's images at time `now` (performance.now()) and returns the current rate. */
  add(images: number, now: number): number {
    this.windowImages += images;
    const imagesPerSecond = (this.windowImages * 1000) / Math.max(1, now - this.windowStart);
    if (now - this.windowStart > 5000) {
      this.windowStart = now;
      this.windowImages = 0;
    }
    return imagesPerSecond;
  }
}

/** `{loss: 1}` with prefix `val` -> `{valLoss: 1}`. */
export function prefixKeys(prefix: string, values: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) out[`${prefix}${key[0]!.toUpperCase()}${key.slice(1)}`] = value;
  return out;
}
