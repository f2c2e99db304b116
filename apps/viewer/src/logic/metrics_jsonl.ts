/**
 * Reading a trainer run: `metrics.jsonl` (one JSON record per line, written by the trainer's
 * appendMetrics: `type` 'step' | 'epoch' | 'test') and `report.json` (confusionMatrix, classNames).
 */
import { WaveMixError } from '@wavemix/core';

export interface StepRecord {
  type: 'step';
  time?: string;
  epoch: number;
  step: number;
  loss: number;
  lr?: number;
  imagesPerSecond?: number;
  phase?: string;
}

export interface EpochRecord {
  type: 'epoch';
  time?: string;
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy: number | null;
  seconds?: number;
  /** valLoss, valAccuracy, valMeanIoU, valPsnr, ... */
  [key: string]: unknown;
}

export interface TestRecord {
  type: 'test';
  [key: string]: unknown;
}

/** A line that was not a usable record (torn by a crash, hand-edited, ...): skipped, reported. */
export interface SkippedLine {
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface MetricsRun {
  steps: StepRecord[];
  epochs: EpochRecord[];
  test: TestRecord | null;
  /** Records of other types, kept for the count. */
  ignored: number;
  /** Bad lines (not JSON, not an object, a record missing its numbers), in file order. */
  skipped: SkippedLine[];
}

export class MetricsFileError extends WaveMixError {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}, line ${line}: ${message}`);
  }
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads a trainer metrics.jsonl. A bad line (a record torn by a crash before `--resume`, or a
 * partial last line of a run still being written) is skipped and listed in `skipped` rather than
 * rejecting the file; only a file with no trainer record at all is refused.
 */
export function parseMetricsJsonl(text: string, file = 'metrics.jsonl'): MetricsRun {
  const run: MetricsRun = { steps: [], epochs: [], test: null, ignored: 0, skipped: [] };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const skip = (reason: string) => run.skipped.push({ line: i + 1, reason });
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      skip(`not JSON (${(error as Error).message})`);
      return;
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      skip('expected a JSON object');
      return;
    }
    const r = record as Record<string, unknown>;
    switch (r['type']) {
      case 'step':
        if (!isNumber(r['step']) || !isNumber(r['loss'])) skip("a 'step' record needs numeric step and loss");
        else run.steps.push(r as unknown as StepRecord);
        break;
      case 'epoch':
        if (!isNumber(r['epoch'])) skip("an 'epoch' record needs a numeric epoch");
        else run.epochs.push(r as unknown as EpochRecord);
        break;
      case 'test':
        run.test = r as TestRecord;
        break;
      default:
        run.ignored++;
    }
  });
  if (run.steps.length + run.epochs.length === 0 && run.test === null) {
    const first = run.skipped[0];
    const detail = first ? `; line ${first.line}: ${first.reason}` : '';
    throw new MetricsFileError(
      file,
      first?.line ?? 1,
      `no usable 'step', 'epoch' or 'test' records: is this a trainer metrics.jsonl?${detail}`,
    );
  }
  return run;
}

/** "2 bad lines skipped (lines 3, 9)": what the page says about `run.skipped` (empty when none). */
export function describeSkipped(skipped: readonly SkippedLine[], file = 'metrics.jsonl', shown = 10): string {
  if (skipped.length === 0) return '';
  const numbers = skipped
    .slice(0, shown)
    .map((s) => s.line)
    .join(', ');
  const more = skipped.length > shown ? `, … ${skipped.length - shown} more` : '';
  const plural = skipped.length === 1 ? 'line' : 'lines';
  return `${file}: ${skipped.length} bad ${plural} skipped (${plural} ${numbers}${more}; first: ${skipped[0]!.reason})`;
}

/** [x, y] points of a numeric field of records, skipping records without it. */
export function series<T extends object>(
  records: readonly T[],
  x: keyof T,
  y: string,
): Array<{ x: number; y: number }> {
  const points: Array<{ x: number; y: number }> = [];
  for (const record of records) {
    const xv = record[x];
    const yv = (record as Record<string, unknown>)[y];
    if (isNumber(xv) && isNumber(yv)) points.push({ x: xv, y: yv });
  }
  return points;
}

export interface RunReport {
  confusionMatrix: number[][];
  classNames: string[];
  metrics: Record<string, unknown>;
}

export function parseReport(text: string, file = 'report.json'): RunReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MetricsFileError(file, 1, `not JSON (${(error as Error).message})`);
  }
  const r = value as Record<string, unknown>;
  const matrix = r?.['confusionMatrix'];
  if (
    !Array.isArray(matrix) ||
    matrix.length === 0 ||
    !matrix.every((row) => Array.isArray(row) && row.length === matrix.length && row.every(isNumber))
  ) {
    throw new MetricsFileError(file, 1, 'confusionMatrix must be a square matrix of numbers');
  }
  const names = Array.isArray(r['classNames'])
    ? (r['classNames'] as unknown[]).map(String)
    : matrix.map((_, i) => String(i));
  if (names.length !== matrix.length)
    throw new MetricsFileError(
      file,
      1,
      `${names.length} classNames for a ${matrix.length}×${matrix.length} confusion matrix`,
    );
  return {
    confusionMatrix: matrix as number[][],
    classNames: names,
    metrics: (r['metrics'] as Record<string, unknown>) ?? {},
  };
}

/** Row-normalised confusion matrix (each true class sums to 1; empty rows stay 0). */
export function normaliseRows(matrix: readonly number[][]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}
