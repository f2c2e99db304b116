/**
 * Reading a trainer run: `metrics.jsonl` (one JSON record per line, written by the trainer's
 * appendMetrics: `type` 'step' | 'epoch' | 'test') and `report.json` (confusionMatrix, classNames).
 */
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

export interface MetricsRun {
  steps: StepRecord[];
  epochs: EpochRecord[];
  test: TestRecord | null;
  /** Records of other types, kept for the count. */
  ignored: number;
}

export class MetricsFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}, line ${line}: ${message}`);
    this.name = 'MetricsFileError';
  }
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function parseMetricsJsonl(text: string, file = 'metrics.jsonl'): MetricsRun {
  const run: MetricsRun = { steps: [], epochs: [], test: null, ignored: 0 };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      // A run still being written may end in a partial line; anything else is corrupt.
      if (i === lines.length - 1) return;
      throw new MetricsFileError(file, i + 1, `not JSON (${(error as Error).message})`);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new MetricsFileError(file, i + 1, 'expected a JSON object');
    }
    const r = record as Record<string, unknown>;
    switch (r['type']) {
      case 'step':
        if (!isNumber(r['step']) || !isNumber(r['loss'])) throw new MetricsFileError(file, i + 1, "a 'step' record needs numeric step and loss");
        run.steps.push(r as unknown as StepRecord);
        break;
      case 'epoch':
        if (!isNumber(r['epoch'])) throw new MetricsFileError(file, i + 1, "an 'epoch' record needs a numeric epoch");
        run.epochs.push(r as unknown as EpochRecord);
        break;
      case 'test':
        run.test = r as TestRecord;
        break;
      default:
        run.ignored++;
    }
  });
  if (run.steps.length + run.epochs.length === 0 && run.test === null) {
    throw new MetricsFileError(file, 1, "no 'step', 'epoch' or 'test' records: is this a trainer metrics.jsonl?");
  }
  return run;
}

/** [x, y] points of a numeric field of records, skipping records without it. */
export function series<T extends object>(records: readonly T[], x: keyof T, y: string): Array<{ x: number; y: number }> {
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
  if (!Array.isArray(matrix) || matrix.length === 0 || !matrix.every((row) => Array.isArray(row) && row.length === matrix.length && row.every(isNumber))) {
    throw new MetricsFileError(file, 1, 'confusionMatrix must be a square matrix of numbers');
  }
  const names = Array.isArray(r['classNames']) ? (r['classNames'] as unknown[]).map(String) : matrix.map((_, i) => String(i));
  if (names.length !== matrix.length) throw new MetricsFileError(file, 1, `${names.length} classNames for a ${matrix.length}×${matrix.length} confusion matrix`);
  return { confusionMatrix: matrix as number[][], classNames: names, metrics: (r['metrics'] as Record<string, unknown>) ?? {} };
}

/** Row-normalised confusion matrix (each true class sums to 1; empty rows stay 0). */
export function normaliseRows(matrix: readonly number[][]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}
