/**
 * What a run reports while it trains: metrics.jsonl records (one JSON object a line, each with a
 * wall-clock `time`), the running totals of an epoch, and the throughput shown by the progress display.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@wavemix/core/node';
import { writingTo } from './run_folder';

export class RunLog {
  constructor(private readonly metricsPath: string) {}

  append(record: Record<string, unknown>): void {
    const line = `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`;
    writingTo(this.metricsPath, () => appendFileSync(this.metricsPath, line));
  }
}

/** Where a run continues from: records after it will be written again. */
export interface ResumePoint {
  step: number;
  /** Completed epochs. */
  epoch: number;
  /** A finished run keeps its test records (an --eval-only resume adds one). */
  finished: boolean;
}

/** Whether a metrics record describes training the resumed run will redo. */
function isReplayed(record: Record<string, unknown>, from: ResumePoint): boolean {
  if (record['type'] === 'step') return Number(record['step']) > from.step;
  if (record['type'] === 'epoch') return Number(record['epoch']) > from.epoch;
  if (record['type'] === 'test') return !from.finished;
  return false;
}

/**
 * Makes metrics.jsonl agree with the checkpoint a run resumes from, before anything is appended:
 * a torn last line (a crash mid-write) is cut back to the last complete line, lines that are not
 * JSON objects are dropped, and records of steps and epochs after the checkpoint are removed
 * (they will be written again). Rewritten atomically when anything changes; returns what was done.
 */
export function rewindMetrics(path: string, from: ResumePoint): string[] {
  if (!existsSync(path)) return [];
  const bytes = readFileSync(path);
  const end = bytes.lastIndexOf(0x0a) + 1;
  const notes: string[] = [];
  if (end < bytes.length) notes.push(`cut a torn last line (${bytes.length - end} bytes without a newline)`);
  const kept: string[] = [];
  let replayed = 0;
  const lines = bytes.subarray(0, end).toString('utf8').split('\n').slice(0, -1);
  lines.forEach((line, index) => {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      record = null;
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      notes.push(`dropped line ${index + 1}, which is not a JSON object`);
    } else if (isReplayed(record as Record<string, unknown>, from)) {
      replayed++;
    } else {
      kept.push(line);
    }
  });
  if (replayed)
    notes.push(`removed ${replayed} record${replayed > 1 ? 's' : ''} after step ${from.step} (they are trained again)`);
  if (notes.length) writingTo(path, () => writeFileAtomic(path, kept.map((line) => `${line}\n`).join('')));
  return notes;
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
    return {
      loss: this.lossSum / Math.max(1, this.seen),
      accuracy: this.labelled ? this.correctSum / this.labelled : null,
    };
  }
}

/** Images per second over a window restarted every 5 s, so the figure follows the current speed. */
export class Throughput {
  private windowStart: number;
  private windowImages = 0;

  constructor(start = performance.now()) {
    this.windowStart = start;
  }

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
